import { and, asc, eq } from 'drizzle-orm'
import { afterCursor, within, type CreatedRange } from '../api/pagination'
import type { Db } from './client'
import { accounts, integrations, sites } from './schema'

// Types

export type PageArgs = { limit: number; cursor?: string } & CreatedRange

// Queries

/** Accounts are created lazily: the first write of a new cabinet account registers it. */
export async function ensureAccount(db: Db, accountId: string): Promise<void> {
  await db.insert(accounts).values({ id: accountId }).onConflictDoNothing()
}

export async function listSites(db: Db, accountId: string, page: PageArgs) {
  return db
    .select()
    .from(sites)
    .where(
      and(
        eq(sites.accountId, accountId),
        within(sites.createdAt, page),
        afterCursor(page.cursor, sites.createdAt, sites.id)
      )
    )
    .orderBy(asc(sites.createdAt), asc(sites.id))
    .limit(page.limit)
}

/** The integrations the daily cron imports: active, with at least one transfer switched on. */
export async function listImportableIntegrations(db: Db) {
  const rows = await db
    .select({
      id: integrations.id,
      sendRequests: integrations.sendRequests,
      sendDeals: integrations.sendDeals,
    })
    .from(integrations)
    .where(eq(integrations.active, true))
  return rows.filter((row) => row.sendRequests || row.sendDeals)
}
