import { eq } from 'drizzle-orm'
import type { Db } from './client'
import { byCreation, keysetPage, within, type CreatedRange, type Keyset } from './keyset'
import { requests, type RequestRow } from './schema'

export type RequestFilter = Keyset &
  CreatedRange & {
    integrationId?: string
    matchMethod?: RequestRow['matchMethod']
    campaignId?: string
    sourceId?: string
  }

export function listRequests(db: Db, accountId: string, filter: RequestFilter) {
  return keysetPage(
    db.select().from(requests).$dynamic(),
    byCreation(requests),
    [
      eq(requests.accountId, accountId),
      filter.integrationId ? eq(requests.integrationId, filter.integrationId) : undefined,
      within(requests.createdAt, filter.createdFrom, filter.createdTo),
      filter.matchMethod ? eq(requests.matchMethod, filter.matchMethod) : undefined,
      filter.campaignId ? eq(requests.campaignId, filter.campaignId) : undefined,
      filter.sourceId ? eq(requests.sourceId, filter.sourceId) : undefined,
    ],
    filter
  )
}
