import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from './client'
import { byCreation, keysetPage, within, type CreatedRange, type Keyset } from './keyset'
import { importRuns, integrations, type ImportRun, type RunDetails } from './schema'

// Types

export type RunCounters = Pick<
  ImportRun,
  | 'pages'
  | 'fetched'
  | 'stored'
  | 'matchedSessionId'
  | 'matchedContact'
  | 'matchedBookingWindow'
  | 'defaulted'
  | 'defaultNoVisitSignal'
  | 'defaultAmbiguous'
  | 'defaultVisitTaken'
  | 'defaultRungOff'
  | 'defaultNoCreatedAt'
  | 'malformed'
  | 'amountUnknown'
  | 'retries'
  | 'medodsRequests'
>

export type NewRun = Pick<
  ImportRun,
  'id' | 'accountId' | 'integrationId' | 'kind' | 'trigger' | 'status' | 'updatedAtAfter'
>

// Queries

/** Creates the run unless it exists: a redelivered cron message finds the run it already started. */
export async function createRun(db: Db, run: NewRun): Promise<ImportRun> {
  await db.insert(importRuns).values(run).onConflictDoNothing()
  return (await getRun(db, run.id))!
}

export function getRun(db: Db, id: string) {
  return db.select().from(importRuns).where(eq(importRuns.id, id)).get()
}

export async function markRunning(db: Db, id: string, now: Date) {
  await db
    .update(importRuns)
    .set({
      status: 'running',
      startedAt: sql`coalesce(${importRuns.startedAt}, ${now.getTime()})`,
      progressAt: now,
    })
    .where(eq(importRuns.id, id))
}

/** Marks a stalled run as being taken over, so a second "Run now" does not enqueue it twice. */
export async function markTakenOver(db: Db, id: string, now: Date) {
  await db.update(importRuns).set({ progressAt: now }).where(eq(importRuns.id, id))
}

const increments = (add: Partial<RunCounters>) =>
  Object.fromEntries(
    Object.entries(add).map(([key, value]) => [
      key,
      sql`${importRuns[key as keyof RunCounters]} + ${value ?? 0}`,
    ])
  )

/**
 * The statement that commits one page's progress; it goes in the same batch as the page's rows. `details`
 * replaces the stored ones: the slice carries them from page to page (one slice of a run runs at a time).
 */
export function advanceRun(
  db: Db,
  id: string,
  nextOffset: number,
  add: Partial<RunCounters>,
  details?: RunDetails
) {
  return db
    .update(importRuns)
    .set({ ...increments(add), nextOffset, ...(details ? { details } : {}) })
    .where(eq(importRuns.id, id))
}

/** Counters not tied to a committed page (retries, Medods calls), added when a slice ends. */
export async function addToRun(db: Db, id: string, add: Partial<RunCounters>) {
  if (Object.keys(add).length === 0) return
  await db.update(importRuns).set(increments(add)).where(eq(importRuns.id, id))
}

export async function finishRun(
  db: Db,
  run: Pick<ImportRun, 'id' | 'integrationId' | 'kind'>,
  outcome: { status: 'succeeded' | 'failed'; error: string | null; cursor?: number; details?: RunDetails },
  now: Date
) {
  const cursorColumn = run.kind === 'requests' ? 'requestsCursor' : 'dealsCursor'
  await db.batch([
    db
      .update(importRuns)
      .set({
        status: outcome.status,
        error: outcome.error,
        finishedAt: now,
        ...(outcome.details ? { details: outcome.details } : {}),
      })
      .where(eq(importRuns.id, run.id)),
    db
      .update(integrations)
      .set({
        lastRunAt: now,
        lastError: outcome.error,
        ...(outcome.cursor === undefined ? {} : { [cursorColumn]: outcome.cursor }),
      })
      .where(eq(integrations.id, run.integrationId)),
  ])
}

/** Keeps the last error readable while the queue retries a failing run. */
export async function recordRunError(db: Db, run: Pick<ImportRun, 'id' | 'integrationId'>, error: string) {
  await db.batch([
    db.update(importRuns).set({ error }).where(eq(importRuns.id, run.id)),
    db.update(integrations).set({ lastError: error }).where(eq(integrations.id, run.integrationId)),
  ])
}

export async function listRuns(
  db: Db,
  accountId: string,
  filter: Keyset & CreatedRange & { integrationId?: string }
) {
  return keysetPage(
    db.select().from(importRuns).$dynamic(),
    byCreation(importRuns),
    [
      eq(importRuns.accountId, accountId),
      filter.integrationId ? eq(importRuns.integrationId, filter.integrationId) : undefined,
      within(importRuns.createdAt, filter.createdFrom, filter.createdTo),
    ],
    filter
  )
}

/** Whether a run of this kind is already queued or running, so "Run now" does not pile up duplicates. */
export async function findOpenRun(db: Db, integrationId: string, kind: ImportRun['kind']) {
  return db
    .select()
    .from(importRuns)
    .where(
      and(
        eq(importRuns.integrationId, integrationId),
        eq(importRuns.kind, kind),
        inArray(importRuns.status, ['queued', 'running'])
      )
    )
    .orderBy(desc(importRuns.createdAt))
    .get()
}
