import { and, asc, eq, gte, lte } from 'drizzle-orm'
import { afterCursor } from '../api/pagination'
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
}

export function listRequests(db: Db, accountId: string, filter: RequestFilter) {
  return db
    .select()
    .from(requests)
    .where(
      and(
        eq(requests.accountId, accountId),
        filter.integrationId ? eq(requests.integrationId, filter.integrationId) : undefined,
        filter.createdFrom ? gte(requests.createdAt, filter.createdFrom) : undefined,
        filter.createdTo ? lte(requests.createdAt, filter.createdTo) : undefined,
        filter.matchMethod ? eq(requests.matchMethod, filter.matchMethod) : undefined,
        filter.campaignId ? eq(requests.campaignId, filter.campaignId) : undefined,
        filter.sourceId ? eq(requests.sourceId, filter.sourceId) : undefined,
        afterCursor(filter.cursor, requests.createdAt, requests.id)
      )
    )
    .orderBy(asc(requests.createdAt), asc(requests.id))
    .limit(filter.limit)
}
