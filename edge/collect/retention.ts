import type { Db } from '../db/client'
import { purgeSessionsBefore } from '../db/sessions'

export const DEFAULT_RETENTION_DAYS = 180
const DAY_MS = 86_400_000

/** `SESSION_RETENTION_DAYS` in whole days; anything unusable falls back to the default. */
export function retentionDays(value: string | undefined): number {
  const days = Number(value)
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS
}

/** The daily purge: sessions last seen before the retention age, with their events and contacts. */
export async function purgeExpiredSessions(db: Db, days: number, now: Date): Promise<number> {
  const deleted = await purgeSessionsBefore(db, new Date(now.getTime() - days * DAY_MS))
  console.log(
    JSON.stringify({ level: 'info', msg: 'sessions purged', deleted, retentionDays: days })
  )
  return deleted
}
