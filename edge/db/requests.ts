import { and, count, eq } from 'drizzle-orm'
import type { Db } from './client'
import { byCreation, keysetPage, within, type CreatedRange, type Keyset } from './keyset'
import { requests, type RequestRow } from './schema'

export type RequestConditions = CreatedRange & {
  integrationId?: string
  matchMethod?: RequestRow['matchMethod']
  campaignId?: string
  sourceId?: string
}
export type RequestFilter = Keyset & RequestConditions

const conditions = (accountId: string, filter: RequestConditions) => [
  eq(requests.accountId, accountId),
  filter.integrationId ? eq(requests.integrationId, filter.integrationId) : undefined,
  within(requests.createdAt, filter.createdFrom, filter.createdTo),
  filter.matchMethod ? eq(requests.matchMethod, filter.matchMethod) : undefined,
  filter.campaignId ? eq(requests.campaignId, filter.campaignId) : undefined,
  filter.sourceId ? eq(requests.sourceId, filter.sourceId) : undefined,
]

export function listRequests(db: Db, accountId: string, filter: RequestFilter) {
  return keysetPage(db.select().from(requests).$dynamic(), byCreation(requests), conditions(accountId, filter), filter)
}

/** How many requests the filter holds, by match method: the totals a list shows above its first page. */
export async function countRequests(db: Db, accountId: string, filter: RequestConditions) {
  const rows = await db
    .select({ method: requests.matchMethod, n: count() })
    .from(requests)
    .where(and(...conditions(accountId, filter)))
    .groupBy(requests.matchMethod)
  return new Map(rows.map((row) => [row.method, row.n]))
}
