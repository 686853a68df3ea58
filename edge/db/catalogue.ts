import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from './client'
import { byCreation, keysetPage, within } from './keyset'
import type { PageArgs } from './queries'
import { campaigns, integrations, live, sites, sources, visitsKeys } from './schema'

// The account's catalogue: sites, campaigns, sources. Every query is filtered by account.

type SiteFields = { name: string; domain: string }
type CampaignFields = {
  name: string
  utmSource: string | null
  utmMedium: string | null
  utmCampaign: string | null
}
type SourceFields = { name: string }

export const findSite = (db: Db, accountId: string, id: string) =>
  db
    .select()
    .from(sites)
    .where(and(eq(sites.accountId, accountId), eq(sites.id, id)))
    .get()

export const firstSite = (db: Db, accountId: string) =>
  db
    .select()
    .from(sites)
    .where(eq(sites.accountId, accountId))
    .orderBy(asc(sites.createdAt), asc(sites.id))
    .get()

/** A new site on the given visits shard, under a visits key never used before. */
export async function insertSite(
  db: Db,
  accountId: string,
  fields: SiteFields & { siteKey: string; shard: number }
) {
  const { key } = await db.insert(visitsKeys).values({}).returning().get()
  return db
    .insert(sites)
    .values({ id: crypto.randomUUID(), accountId, ...fields, visitsKey: key })
    .returning()
    .get()
}

export const updateSite = (db: Db, accountId: string, id: string, patch: Partial<SiteFields>) =>
  db
    .update(sites)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(sites.accountId, accountId), eq(sites.id, id)))
    .returning()
    .get()

export const findCampaign = (db: Db, accountId: string, id: string) =>
  db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.accountId, accountId), eq(campaigns.id, id)))
    .get()

export const listCampaigns = (db: Db, accountId: string, page: PageArgs) =>
  keysetPage(
    db.select().from(campaigns).$dynamic(),
    byCreation(campaigns),
    [eq(campaigns.accountId, accountId), within(campaigns.createdAt, page.createdFrom, page.createdTo)],
    page
  )

export const insertCampaign = (db: Db, accountId: string, fields: CampaignFields) =>
  db
    .insert(campaigns)
    .values({ id: crypto.randomUUID(), accountId, ...fields })
    .returning()
    .get()

export const updateCampaign = (
  db: Db,
  accountId: string,
  id: string,
  patch: Partial<CampaignFields>
) =>
  db
    .update(campaigns)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(campaigns.accountId, accountId), eq(campaigns.id, id)))
    .returning()
    .get()

export const findSource = (db: Db, accountId: string, id: string) =>
  db
    .select()
    .from(sources)
    .where(and(eq(sources.accountId, accountId), eq(sources.id, id)))
    .get()

export const listSources = (db: Db, accountId: string, page: PageArgs) =>
  keysetPage(
    db.select().from(sources).$dynamic(),
    byCreation(sources),
    [eq(sources.accountId, accountId), within(sources.createdAt, page.createdFrom, page.createdTo)],
    page
  )

export const insertSource = (db: Db, accountId: string, fields: SourceFields) =>
  db
    .insert(sources)
    .values({ id: crypto.randomUUID(), accountId, ...fields })
    .returning()
    .get()

export const updateSource = (db: Db, accountId: string, id: string, patch: Partial<SourceFields>) =>
  db
    .update(sources)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(sources.accountId, accountId), eq(sources.id, id)))
    .returning()
    .get()

/** Deletes one catalogue row of the account; false when there was none. */
export async function deleteFromCatalogue(
  db: Db,
  kind: 'site' | 'campaign' | 'source',
  accountId: string,
  id: string
): Promise<boolean> {
  const table = { site: sites, campaign: campaigns, source: sources }[kind]
  const gone = await db
    .delete(table)
    .where(and(eq(table.accountId, accountId), eq(table.id, id)))
    .returning({ id: table.id })
  return gone.length > 0
}

/** The first integration of the account relying on this catalogue row (deleting would break it). */
export function integrationUsing(
  db: Db,
  accountId: string,
  use: { campaignId: string } | { sourceId: string } | { siteId: string }
) {
  const relies =
    'campaignId' in use
      ? eq(integrations.defaultCampaignId, use.campaignId)
      : 'sourceId' in use
        ? eq(integrations.defaultSourceId, use.sourceId)
        : sql`(${integrations.defaultSiteId} = ${use.siteId} OR EXISTS (
            SELECT 1 FROM json_each(${integrations.siteIds}) WHERE value = ${use.siteId}))`
  return db
    .select({ id: integrations.id })
    .from(integrations)
    .where(and(eq(integrations.accountId, accountId), relies, live))
    .get()
}
