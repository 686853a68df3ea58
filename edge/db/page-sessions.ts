import { and, eq, gt, lt } from 'drizzle-orm'
import type { Db } from './client'
import { pageSessions } from './schema'

export async function createPageSession(db: Db, row: { idHash: string; accountId: string; expiresAt: Date }) {
  const now = new Date()
  // Each sign-in sweeps the expired ones: no cron needed for a table that grows by sign-ins.
  await db.batch([
    db.delete(pageSessions).where(lt(pageSessions.expiresAt, now)),
    db.insert(pageSessions).values(row),
  ])
}

/** The account of a live session, or undefined. */
export async function findPageSession(db: Db, idHash: string, now: Date) {
  return db
    .select({ accountId: pageSessions.accountId, expiresAt: pageSessions.expiresAt })
    .from(pageSessions)
    .where(and(eq(pageSessions.idHash, idHash), gt(pageSessions.expiresAt, now)))
    .get()
}

export async function deletePageSession(db: Db, idHash: string) {
  await db.delete(pageSessions).where(eq(pageSessions.idHash, idHash))
}
