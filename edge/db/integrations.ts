import { and, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Db } from './client'
import { byCreation, keysetPage, within } from './keyset'
import type { PageArgs } from './queries'
import {
  dealStageHistory,
  deals,
  importRuns,
  integrations,
  live,
  medodsClients,
  medodsUsers,
  pipelines,
  pipelineStages,
  requests,
  sites,
  type Integration,
  type StoredCheck,
} from './schema'

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
  | 'lastCheck'
  | 'deletedAt'
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
    .where(and(eq(integrations.accountId, accountId), eq(integrations.id, id), live))
    .get()
}

/** Another integration of the account connecting the same clinic (`uid` as stored: its origin). */
export const findIntegrationByUid = (db: Db, accountId: string, uid: string, except?: string) =>
  db
    .select({ id: integrations.id })
    .from(integrations)
    .where(
      and(
        eq(integrations.accountId, accountId),
        eq(integrations.uid, uid),
        live,
        except ? ne(integrations.id, except) : undefined
      )
    )
    .get()

export const listIntegrations = (db: Db, accountId: string, page: PageArgs) =>
  keysetPage(
    db.select().from(integrations).$dynamic(),
    byCreation(integrations),
    [eq(integrations.accountId, accountId), live, within(integrations.createdAt, page.createdFrom, page.createdTo)],
    page
  )

export const insertIntegration = (db: Db, accountId: string, settings: IntegrationSettings) =>
  db
    .insert(integrations)
    .values({ ...settings, id: crypto.randomUUID(), accountId })
    .returning()
    .get()

/** Changes settings; `lastCheck: null` forgets a report the change made stale. */
export const updateIntegration = (
  db: Db,
  accountId: string,
  id: string,
  settings: Partial<IntegrationSettings> & { lastCheck?: null }
) =>
  db
    .update(integrations)
    .set({ ...settings, updatedAt: new Date() })
    .where(and(eq(integrations.accountId, accountId), eq(integrations.id, id), live))
    .returning()
    .get()

export const saveCheck = (db: Db, id: string, check: StoredCheck) =>
  db.update(integrations).set({ lastCheck: check }).where(eq(integrations.id, id))

/**
 * Deletes an integration of the account. Its SecretKey is erased and it stops importing and relying on
 * the catalogue; its requests, deals and runs stay, readable under its id, unless `purge` removes them
 * with the row itself. Answers whether there was one to delete.
 */
export async function deleteIntegration(db: Db, accountId: string, id: string, opts: { purge: boolean }) {
  const row = await findIntegration(db, accountId, id)
  if (!row) return false
  const erase = db
    .update(integrations)
    .set({
      deletedAt: new Date(),
      active: false,
      sendRequests: false,
      sendDeals: false,
      secretKeyEnc: '',
      secretKeyMask: '',
      defaultCampaignId: null,
      defaultSourceId: null,
      defaultSiteId: null,
      siteIds: [],
      lastCheck: null,
      updatedAt: new Date(),
    })
    .where(eq(integrations.id, id))
  await db.batch(opts.purge ? [erase, ...purgeStatements(db, id)] : [erase])
  return true
}

function purgeStatements(db: Db, id: string) {
  const ofPipelines = sql`(SELECT ${pipelines.id} FROM ${pipelines} WHERE ${pipelines.integrationId} = ${id})`
  const ofDeals = sql`(SELECT ${deals.id} FROM ${deals} WHERE ${deals.integrationId} = ${id})`
  return [
    db.delete(dealStageHistory).where(sql`${dealStageHistory.dealId} IN ${ofDeals}`),
    db.delete(deals).where(eq(deals.integrationId, id)),
    db.delete(pipelineStages).where(sql`${pipelineStages.pipelineId} IN ${ofPipelines}`),
    db.delete(pipelines).where(eq(pipelines.integrationId, id)),
    db.delete(requests).where(eq(requests.integrationId, id)),
    db.delete(importRuns).where(eq(importRuns.integrationId, id)),
    db.delete(medodsClients).where(eq(medodsClients.integrationId, id)),
    db.delete(medodsUsers).where(eq(medodsUsers.integrationId, id)),
    db.delete(integrations).where(eq(integrations.id, id)),
  ]
}

/** Which of these site ids belong to the account (callers keep the list under 100 ids). */
export async function ownSiteIds(db: Db, accountId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .select({ id: sites.id })
    .from(sites)
    .where(and(eq(sites.accountId, accountId), inArray(sites.id, ids)))
  return new Set(rows.map((row) => row.id))
}
