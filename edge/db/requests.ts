import { and, eq } from 'drizzle-orm'
import { afterCursor, keysetOrder, within, type Direction } from '../api/pagination'
import type { Db } from './client'
import { requests, type RequestRow } from './schema'

export type RequestFilter = {
  integrationId?: string
  createdFrom?: Date
  createdTo?: Date
  matchMethod?: RequestRow['matchMethod']
  campaignId?: string
  sourceId?: string
  limit: number
  cursor?: string
  direction?: Direction
}

export function listRequests(db: Db, accountId: string, filter: RequestFilter) {
  return db
    .select()
    .from(requests)
    .where(
      and(
        eq(requests.accountId, accountId),
        filter.integrationId ? eq(requests.integrationId, filter.integrationId) : undefined,
        within(requests.createdAt, filter),
        filter.matchMethod ? eq(requests.matchMethod, filter.matchMethod) : undefined,
        filter.campaignId ? eq(requests.campaignId, filter.campaignId) : undefined,
        filter.sourceId ? eq(requests.sourceId, filter.sourceId) : undefined,
        afterCursor(filter.cursor, requests.createdAt, requests.id, filter.direction)
      )
    )
    .orderBy(...keysetOrder(requests.createdAt, requests.id, filter.direction))
    .limit(filter.limit)
}
