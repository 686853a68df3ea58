import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm'
import { afterCursor } from '../api/pagination'
import type { Db } from './client'
import { chunk } from './batching'
import {
  deals,
  dealStageHistory,
  medodsClients,
  medodsUsers,
  pipelineStages,
  requests,
} from './schema'

export type DealFilter = {
  integrationId?: string
  modifiedFrom?: Date
  modifiedTo?: Date
  stageId?: string
  pipelineId?: string
  limit: number
  cursor?: string
}

/**
 * The account's deals by (modifiedAt, id), with their stage, contact, manager and request (the
 * request of the same appointment, if the requests import stored one), joined rather than copied.
 */
export function listDeals(db: Db, accountId: string, filter: DealFilter) {
  return db
    .select({
      deal: deals,
      stage: pipelineStages,
      contact: { name: medodsClients.name, phone: medodsClients.phone, email: medodsClients.email },
      managerName: medodsUsers.name,
      requestId: requests.id,
    })
    .from(deals)
    .innerJoin(pipelineStages, eq(pipelineStages.id, deals.stageId))
    .leftJoin(
      medodsClients,
      and(
        eq(medodsClients.integrationId, deals.integrationId),
        eq(medodsClients.medodsId, deals.medodsClientId)
      )
    )
    .leftJoin(
      medodsUsers,
      and(
        eq(medodsUsers.integrationId, deals.integrationId),
        eq(medodsUsers.medodsId, deals.medodsUserId)
      )
    )
    .leftJoin(
      requests,
      and(
        eq(requests.integrationId, deals.integrationId),
        eq(requests.medodsAppointmentId, deals.medodsAppointmentId)
      )
    )
    .where(
      and(
        eq(deals.accountId, accountId),
        filter.integrationId ? eq(deals.integrationId, filter.integrationId) : undefined,
        filter.modifiedFrom ? gte(deals.modifiedAt, filter.modifiedFrom) : undefined,
        filter.modifiedTo ? lte(deals.modifiedAt, filter.modifiedTo) : undefined,
        filter.stageId ? eq(deals.stageId, filter.stageId) : undefined,
        filter.pipelineId ? eq(deals.pipelineId, filter.pipelineId) : undefined,
        afterCursor(filter.cursor, deals.modifiedAt, deals.id)
      )
    )
    .orderBy(asc(deals.modifiedAt), asc(deals.id))
    .limit(filter.limit)
}

export type DealListRow = Awaited<ReturnType<typeof listDeals>>[number]

/** The stage history of these deals (already filtered by account), oldest first. */
export async function historyOf(db: Db, dealIds: string[]) {
  const rows = []
  for (const part of chunk(dealIds, 90)) {
    rows.push(
      ...(await db
        .select()
        .from(dealStageHistory)
        .where(inArray(dealStageHistory.dealId, part))
        .orderBy(asc(dealStageHistory.id)))
    )
  }
  return rows
}
