import { and, eq } from 'drizzle-orm'
import type { Db } from './client'
import { byCreation, keysetPage, within, type CreatedRange, type Keyset } from './keyset'
import { accounts, integrations, live, sites } from './schema'

// Types

export type PageArgs = Keyset & CreatedRange

// Queries

/** Accounts are created lazily: the first write of a new cabinet account registers it. */
export async function ensureAccount(db: Db, accountId: string): Promise<void> {
  await db.insert(accounts).values({ id: accountId }).onConflictDoNothing()
}

export const listSites = (db: Db, accountId: string, page: PageArgs) =>
  keysetPage(
    db.select().from(sites).$dynamic(),
    byCreation(sites),
    [eq(sites.accountId, accountId), within(sites.createdAt, page.createdFrom, page.createdTo)],
    page
  )

/** The integrations the daily cron imports: active, with at least one transfer switched on. */
export async function listImportableIntegrations(db: Db) {
  const rows = await db
    .select({
      id: integrations.id,
      sendRequests: integrations.sendRequests,
      sendDeals: integrations.sendDeals,
    })
    .from(integrations)
    .where(and(eq(integrations.active, true), live))
  return rows.filter((row) => row.sendRequests || row.sendDeals)
}
