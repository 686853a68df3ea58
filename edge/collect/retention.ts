import type { VisitsDb } from '../db/shards'
import { purgeSessionsBefore } from '../db/visits'
import { describeForLog } from '../errors'

export const DEFAULT_RETENTION_DAYS = 180
const DAY_MS = 86_400_000

/** `SESSION_RETENTION_DAYS` in whole days; anything unusable falls back to the default. */
export function retentionDays(value: string | undefined): number {
  const days = Number(value)
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS
}

/**
 * The daily purge, shard by shard: sessions last seen before the retention age, with their events and
 * contacts. One shard failing does not keep the others from being purged.
 */
export async function purgeExpiredSessions(shards: VisitsDb[], days: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - days * DAY_MS)
  let total = 0
  for (const [shard, db] of shards.entries()) {
    try {
      const deleted = await purgeSessionsBefore(db, cutoff)
      total += deleted
      console.log(JSON.stringify({ level: 'info', msg: 'sessions purged', shard, deleted, retentionDays: days }))
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', msg: 'sessions purge failed', shard, error: describeForLog(err) }))
    }
  }
  return total
}
