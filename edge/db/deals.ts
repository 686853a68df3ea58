import { and, asc, eq, gte, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import { chunk, idsPerStatement, MAX_BOUND_PARAMS, readInParts, rowsPerStatement } from './batching'
import type { Db } from './client'
import { deals, dealStageHistory, type Deal } from './schema'

/**
 * The row to upsert (currency keeps its default), the stage it left (null when none), whether it is
 * new.
 */
export type DealPlan = { row: Omit<Deal, 'currency'>; fromStageId: string | null; isNew: boolean }

// A moved deal binds 3 values (id, from, to) besides the one time.
const MOVES_PER_STATEMENT = Math.floor((MAX_BOUND_PARAMS - 1) / 3)

/** The deals of these appointments already stored for the integration, by appointment id. */
export async function findDeals(db: Db, integrationId: string, appointmentIds: number[]) {
  const rows = await readInParts(appointmentIds, 1, (part) =>
    db
      .select()
      .from(deals)
      .where(and(eq(deals.integrationId, integrationId), inArray(deals.medodsAppointmentId, part)))
  )
  return new Map(rows.map((row) => [row.medodsAppointmentId, row]))
}

/**
 * The statements that store a page's deal plans, for the page's one atomic batch. A stage move is
 * recorded only while the deal still stands on the stage the plan moved it from, and a first stage
 * only for a deal row this batch created, so two imports racing over one appointment write its
 * history once.
 */
export function dealWrites(db: Db, plans: DealPlan[], at: Date) {
  const moves = plans.filter((plan) => plan.fromStageId !== null)
  const created = plans.filter((plan) => plan.isNew).map((plan) => plan.row.id)
  // Built with insert().select(sql): drizzle's D1 batch cannot bind a raw db.run() statement.
  const history = db.insert(dealStageHistory)
  return [
    ...chunk(moves, MOVES_PER_STATEMENT).map((part) => history.select(recordMoves(part, at))),
    ...chunk(plans, rowsPerStatement(deals)).map((part) => upsertDeals(db, part)),
    ...chunk(created, idsPerStatement(1)).map((ids) => history.select(recordFirstStages(ids, at))),
  ]
}

function recordMoves(moves: DealPlan[], at: Date): SQL {
  const values = sql.join(
    moves.map((m) => sql`(${m.row.id}, ${m.fromStageId}, ${m.row.stageId})`),
    sql`, `
  )
  // Columns in table order (id, deal_id, from, to, at); a NULL id takes the next rowid.
  return sql`SELECT NULL, d.id, d.stage_id, v.column3, ${at.getTime()} FROM (VALUES ${values}) AS v
    JOIN deals d ON d.id = v.column1 AND d.stage_id = v.column2`
}

function recordFirstStages(dealIds: string[], at: Date): SQL {
  const ids = sql.join(
    dealIds.map((id) => sql`${id}`),
    sql`, `
  )
  return sql`SELECT NULL, id, NULL, stage_id, ${at.getTime()} FROM deals WHERE id IN (${ids})`
}

const excluded = (column: string) => sql.raw(`excluded.${column}`)

/**
 * Upserts keyed by (integration, appointment). The row's id, a known creation time and a known
 * amount survive; stage times move only with the stage, and `modifiedAt` never goes back.
 */
function upsertDeals(db: Db, plans: DealPlan[]) {
  const sameStage = sql`${deals.stageId} = excluded.stage_id`
  return db
    .insert(deals)
    .values(plans.map((plan) => plan.row))
    .onConflictDoUpdate({
      target: [deals.integrationId, deals.medodsAppointmentId],
      set: {
        pipelineId: excluded('pipeline_id'),
        stageId: excluded('stage_id'),
        title: excluded('title'),
        amount: sql`coalesce(excluded.amount, ${deals.amount})`,
        medodsClientId: excluded('medods_client_id'),
        medodsUserId: excluded('medods_user_id'),
        medodsOrderId: excluded('medods_order_id'),
        createdAt: sql`CASE WHEN excluded.created_at_known THEN excluded.created_at ELSE ${deals.createdAt} END`,
        createdAtKnown: sql`max(${deals.createdAtKnown}, excluded.created_at_known)`,
        modifiedAt: sql`max(${deals.modifiedAt}, excluded.modified_at)`,
        stageChangedAt: sql`CASE WHEN ${sameStage} THEN ${deals.stageChangedAt} ELSE excluded.stage_changed_at END`,
        closedAt: sql`CASE WHEN ${sameStage} THEN ${deals.closedAt} ELSE excluded.closed_at END`,
      },
    })
}

/** Deals of the integration changed since `since` whose order had no amount to read, oldest first. */
export function dealsWithUnknownAmount(db: Db, integrationId: string, since: Date, limit: number) {
  return db
    .select({ id: deals.id, medodsOrderId: deals.medodsOrderId })
    .from(deals)
    .where(
      and(
        eq(deals.integrationId, integrationId),
        isNull(deals.amount),
        isNotNull(deals.medodsOrderId),
        gte(deals.modifiedAt, since)
      )
    )
    .orderBy(asc(deals.modifiedAt), asc(deals.id))
    .limit(limit)
}

/**
 * Fills in an amount found later; a deal that got one meanwhile keeps it. `modifiedAt` moves, so a client
 * following changes by it sees the amount arrive.
 */
export const setUnknownAmount = (db: Db, id: string, amount: number, now: Date) =>
  db
    .update(deals)
    .set({ amount, modifiedAt: sql`max(${deals.modifiedAt}, ${now.getTime()})` })
    .where(and(eq(deals.id, id), isNull(deals.amount)))
