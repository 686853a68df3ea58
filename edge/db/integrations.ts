import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from './client'
import { byCreation, keysetPage, within } from './keyset'
import type { PageArgs } from './queries'
import { integrations, sites, type Integration } from './schema'

/** The columns the settings API writes; the importer's cursors and run status are not theirs. */
export type IntegrationSettings = Omit<
  typeof integrations.$inferInsert,
  | 'id'
  | 'accountId'
  | 'createdAt'
  | 'updatedAt'
  | 'requestsCursor'
  | 'dealsCursor'
  | 'lastRunAt'
  | 'lastError'
>

/** One integration of the account, or undefined: a foreign id looks exactly like a missing one. */
export async function findIntegration(
  db: Db,
  accountId: string,
  id: string
): Promise<Integration | undefined> {
  return db
    .select()
    .from(integrations)
    .where(and(eq(integrations.accountId, accountId), eq(integrations.id, id)))
    .get()
}

export const listIntegrations = (db: Db, accountId: string, page: PageArgs) =>
  keysetPage(
    db.select().from(integrations).$dynamic(),
    byCreation(integrations),
    [eq(integrations.accountId, accountId), within(integrations.createdAt, page.createdFrom, page.createdTo)],
    page
  )

export const insertIntegration = (db: Db, accountId: string, settings: IntegrationSettings) =>
  db
    .insert(integrations)
    .values({ ...settings, id: crypto.randomUUID(), accountId })
    .returning()
    .get()

export const updateIntegration = (
  db: Db,
  accountId: string,
  id: string,
  settings: Partial<IntegrationSettings>
) =>
  db
    .update(integrations)
    .set({ ...settings, updatedAt: new Date() })
    .where(and(eq(integrations.accountId, accountId), eq(integrations.id, id)))
    .returning()
    .get()

/** Which of these site ids belong to the account (callers keep the list under 100 ids). */
export async function ownSiteIds(db: Db, accountId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .select({ id: sites.id })
    .from(sites)
    .where(and(eq(sites.accountId, accountId), inArray(sites.id, ids)))
  return new Set(rows.map((row) => row.id))
}
