import { and, asc, count, desc, eq, isNotNull, sql, type SQL } from 'drizzle-orm'
import { alias, type SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'
import { within } from './keyset'
import {
  campaigns,
  deals,
  importRuns,
  integrations,
  live,
  requests,
  sources,
  type ImportRun,
} from './schema'

// The overview's aggregates: bookings per Moscow day and rung, top campaigns and sources, the last
// runs. Each is one statement filtered by account; the page sends them as one batch.

// Types

/** The instants a period covers, both inclusive. */
export type Period = { from: Date; to: Date }

export type Dimension = 'campaign' | 'source'
export type TopOrder = 'bookings' | 'revenue'

/**
 * One campaign or source: its bookings, their deals, how many of those have a known amount, the
 * sum.
 */
export type TopRow = {
  id: string
  name: string | null
  bookings: number
  deals: number
  priced: number
  revenue: number | null
}

export type LastRun = Pick<ImportRun, 'status' | 'createdAt' | 'progressAt' | 'error'>

// Queries

// Moscow is UTC+3 all year (no DST since 2014), so shifting the ms time by 3 h and dividing by a
// day gives its calendar day; SQLite's integer division floors the positive integer. The constants
// are inlined, not bound, so the division stays an integer one whatever type a binding would get.
const MOSCOW_OFFSET_MS = sql.raw(String(3 * 3_600_000))
const DAY_MS = sql.raw(String(86_400_000))
const moscowDay = sql<number>`(${requests.createdAt} + ${MOSCOW_OFFSET_MS}) / ${DAY_MS}`.mapWith(
  Number
)

const ofPeriod = (accountId: string, period: Period) =>
  and(eq(requests.accountId, accountId), within(requests.createdAt, period.from, period.to))

/**
 * Online bookings created in the period, per Moscow day (days since the epoch) and match method.
 */
export const bookingsByDay = (db: Db, accountId: string, period: Period) =>
  db
    .select({ day: moscowDay, method: requests.matchMethod, bookings: count() })
    .from(requests)
    .where(ofPeriod(accountId, period))
    .groupBy(moscowDay, requests.matchMethod)

// A deal is built from the same Medods appointment as its booking: one of each per (integration,
// id).
const dealOfRequest = (accountId: string) =>
  and(
    eq(deals.accountId, accountId),
    eq(deals.integrationId, requests.integrationId),
    eq(deals.medodsAppointmentId, requests.medodsAppointmentId)
  )

const DIMENSIONS: Record<
  Dimension,
  { key: SQLiteColumn; table: typeof campaigns | typeof sources }
> = {
  campaign: { key: requests.campaignId, table: campaigns },
  source: { key: requests.sourceId, table: sources },
}

/**
 * The first `limit` campaigns (or sources) of the period's bookings, by bookings or by the known
 * amounts of their deals. SQL's sum skips unknown (null) amounts and is null when none is known, so
 * a campaign whose deals are all unknown has no revenue rather than 0, and is left out of the
 * revenue order.
 */
export function topBy(
  db: Db,
  accountId: string,
  period: Period,
  by: { dimension: Dimension; order: TopOrder; limit: number }
) {
  const { key, table } = DIMENSIONS[by.dimension]
  const bookings = count(requests.id)
  const revenue = sql<number | null>`sum(${deals.amount})`
  const having: SQL | undefined = by.order === 'revenue' ? isNotNull(revenue) : undefined
  return db
    .select({
      id: sql<string>`${key}`,
      name: table.name,
      bookings,
      deals: count(deals.id),
      priced: count(deals.amount),
      revenue,
    })
    .from(requests)
    .leftJoin(deals, dealOfRequest(accountId))
    .leftJoin(table, and(eq(table.id, key), eq(table.accountId, accountId)))
    .where(and(ofPeriod(accountId, period), isNotNull(key)))
    .groupBy(key, table.name)
    .having(having)
    .orderBy(desc(by.order === 'revenue' ? revenue : bookings), desc(bookings), asc(key))
    .limit(by.limit)
}

const requestsRun = alias(importRuns, 'requests_run')
const dealsRun = alias(importRuns, 'deals_run')

/**
 * The id of an integration's newest run of a kind. Keyed by the integration alone, so SQLite walks
 * import_runs_integration_idx; the join then checks the run's account.
 */
const lastRunId = (kind: ImportRun['kind']) =>
  sql`(select ${importRuns.id} from ${importRuns}
       where ${importRuns.integrationId} = ${integrations.id} and ${importRuns.kind} = ${kind}
       order by ${importRuns.createdAt} desc, ${importRuns.id} desc limit 1)`

const newestRun = (
  run: typeof requestsRun | typeof dealsRun,
  accountId: string,
  kind: ImportRun['kind']
) => and(eq(run.id, lastRunId(kind)), eq(run.accountId, accountId))

/**
 * A run's columns under names of their own: D1 answers rows keyed by column name, so the two runs'
 * same-named columns would otherwise overwrite each other.
 */
const runFields = (run: typeof requestsRun | typeof dealsRun, prefix: string) => ({
  status: sql<ImportRun['status'] | null>`${run.status}`.as(`${prefix}_status`),
  createdAt: sql<Date | null>`${run.createdAt}`.mapWith(run.createdAt).as(`${prefix}_created_at`),
  progressAt: sql<Date | null>`${run.progressAt}`
    .mapWith(run.progressAt)
    .as(`${prefix}_progress_at`),
  error: sql<string | null>`${run.error}`.as(`${prefix}_error`),
})

/**
 * The account's live integrations, oldest first, each with its newest requests run and deals run.
 */
const integrationRunsQuery = (db: Db, accountId: string, limit: number) =>
  db
    .select({
      id: integrations.id,
      uid: integrations.uid,
      active: integrations.active,
      sendRequests: integrations.sendRequests,
      sendDeals: integrations.sendDeals,
      requestsRun: runFields(requestsRun, 'requests_run'),
      dealsRun: runFields(dealsRun, 'deals_run'),
    })
    .from(integrations)
    .leftJoin(requestsRun, newestRun(requestsRun, accountId, 'requests'))
    .leftJoin(dealsRun, newestRun(dealsRun, accountId, 'deals'))
    .where(and(eq(integrations.accountId, accountId), live))
    .orderBy(asc(integrations.createdAt), asc(integrations.id))
    .limit(limit)

type IntegrationRunsRow = Awaited<ReturnType<typeof integrationRunsQuery>>[number]

// A left join without a run yields its columns as nulls: say "no run" instead.
const runOrNull = (run: IntegrationRunsRow['requestsRun']): LastRun | null =>
  run.status && run.createdAt ? { ...run, status: run.status, createdAt: run.createdAt } : null

const withRuns = (rows: IntegrationRunsRow[]) =>
  rows.map((row) => ({
    ...row,
    requestsRun: runOrNull(row.requestsRun),
    dealsRun: runOrNull(row.dealsRun),
  }))

export type IntegrationRuns = ReturnType<typeof withRuns>[number]

export const integrationsWithLastRuns = async (db: Db, accountId: string, limit: number) =>
  withRuns(await integrationRunsQuery(db, accountId, limit))

/** Everything the overview shows, as one D1 batch (one round trip, one consistent snapshot). */
export async function readOverview(db: Db, accountId: string, period: Period) {
  const top = (dimension: Dimension, order: TopOrder) =>
    topBy(db, accountId, period, { dimension, order, limit: 10 })
  const [days, campaignsByBookings, campaignsByRevenue, sourcesByBookings, sourcesByRevenue, runs] =
    await db.batch([
      bookingsByDay(db, accountId, period),
      top('campaign', 'bookings'),
      top('campaign', 'revenue'),
      top('source', 'bookings'),
      top('source', 'revenue'),
      integrationRunsQuery(db, accountId, 50),
    ])
  return {
    days,
    campaigns: { bookings: campaignsByBookings, revenue: campaignsByRevenue },
    sources: { bookings: sourcesByBookings, revenue: sourcesByRevenue },
    runs: withRuns(runs),
  }
}
