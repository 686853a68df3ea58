import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Db } from './client'
import { keysetPage, within, type Keyset } from './keyset'
import { readInParts } from './batching'
import {
  deals,
  dealStageHistory,
  medodsClients,
  medodsUsers,
  pipelineStages,
  requests,
} from './schema'

export type DealFilter = Keyset & {
  integrationId?: string
  modifiedFrom?: Date
  modifiedTo?: Date
  stageId?: string
  pipelineId?: string
}

/**
 * The account's deals by (modifiedAt, id), with their stage, contact, manager and request (the
 * request of the same appointment, if the requests import stored one), joined rather than copied.
 */
export function listDeals(db: Db, accountId: string, filter: DealFilter) {
  const query = db
    .select({
      deal: deals,
      stage: pipelineStages,
      contact: { name: medodsClients.name, phone: medodsClients.phone, email: medodsClients.email },
      managerName: medodsUsers.name,
      requestId: requests.id,
      requestCampaignId: requests.campaignId,
      requestSourceId: requests.sourceId,
      requestCreatedAt: requests.createdAt,
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
    .$dynamic()
  const key = {
    time: deals.modifiedAt,
    id: deals.id,
    of: (row: { deal: { modifiedAt: Date; id: string } }) => ({
      at: row.deal.modifiedAt.getTime(),
      id: row.deal.id,
    }),
  }
  return keysetPage(
    query,
    key,
    [
      eq(deals.accountId, accountId),
      filter.integrationId ? eq(deals.integrationId, filter.integrationId) : undefined,
      within(deals.modifiedAt, filter.modifiedFrom, filter.modifiedTo),
      filter.stageId ? eq(deals.stageId, filter.stageId) : undefined,
      filter.pipelineId ? eq(deals.pipelineId, filter.pipelineId) : undefined,
    ],
    filter
  )
}

export type DealListRow = Awaited<ReturnType<typeof listDeals>>['rows'][number]

/** The stage history of these deals (already filtered by account), oldest first. */
export async function historyOf(db: Db, dealIds: string[]) {
  return readInParts(dealIds, 0, (part) =>
    db
      .select()
      .from(dealStageHistory)
      .where(inArray(dealStageHistory.dealId, part))
      .orderBy(asc(dealStageHistory.id))
  )
}
