import { createDb, type Db } from '../db/client'
import { visitShards } from '../db/shards'
import {
  addToRun,
  createRun,
  findOpenRun,
  finishRun,
  getRun,
  markRunning,
  recordRunError,
} from '../db/imports'
import { integrations, live, type ImportRun, type Integration, type RunDetails } from '../db/schema'
import { decryptSecret } from '../crypto/secrets'
import { describeForLog } from '../errors'
import { createMedodsClient } from '../medods/client'
import { MedodsAuthError, MedodsError } from '../medods/errors'
import { and, eq } from 'drizzle-orm'
import { importDealsSlice } from './deals-import'
import { enqueueJobs, type ImportJob } from './jobs'
import { importRequestsSlice } from './requests-import'

/** The next run starts this far before the last one began: offset paging over changing data can skip rows. */
export const CURSOR_OVERLAP_SECONDS = 600
/** Pages one queue invocation imports before it hands on, to stay inside Workers and D1 limits. */
export const PAGES_PER_INVOCATION = 20
/** Matches `max_retries` of the imports consumer: the last delivery marks the run failed. */
export const MAX_ATTEMPTS = 6

export type ImportDeps = {
  env: Env
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  now?: () => Date
  pagesPerInvocation?: number
  /** The Medods client's per-request timeout (its default is 20 s); tests of hung clinics shorten it. */
  medodsTimeoutMs?: number
}

const DAY_SECONDS = 86_400

/**
 * A run open this long without a slice starting is stalled: a slice lives at most 15 minutes (the
 * consumer's wall-clock limit) and a failed one is redelivered after 60 s (`retry_delay`).
 */
export const STALLED_AFTER_MS = 20 * 60_000

/** Whether an open run has stopped moving: no slice started (or, if never started, queued) for long. */
export function isStalled(run: Pick<ImportRun, 'status' | 'progressAt' | 'createdAt'>, now: Date) {
  if (run.status !== 'queued' && run.status !== 'running') return false
  const last = run.progressAt ?? run.createdAt
  return now.getTime() - last.getTime() > STALLED_AFTER_MS
}

/** Where a run's `updatedAtAfter` starts: the backfill asked for, else the stored cursor, else the lookback. */
export function startCursor(integration: Integration, kind: ImportRun['kind'], now: Date, since?: Date) {
  if (since) return Math.floor(since.getTime() / 1000)
  const stored = kind === 'requests' ? integration.requestsCursor : integration.dealsCursor
  return stored ?? Math.floor(now.getTime() / 1000) - integration.lookbackDays * DAY_SECONDS
}

/**
 * Where the next run starts: a little before this one began, or before the earliest booking whose patient
 * could not be read (`patientRetryFrom`), so that booking is read again.
 */
export function nextCursor(run: Pick<ImportRun, 'createdAt'>, details: RunDetails) {
  const cursor = Math.floor(run.createdAt.getTime() / 1000) - CURSOR_OVERLAP_SECONDS
  const retry = details.patientRetryFrom
  return retry === undefined ? cursor : Math.min(cursor, retry - CURSOR_OVERLAP_SECONDS)
}

async function openRun(db: Db, job: ImportJob, integration: Integration, now: Date) {
  if (job.runId) return getRun(db, job.runId)
  // The daily message takes over a stalled run of its kind rather than leave it open for ever.
  const open = await findOpenRun(db, integration.id, job.kind)
  if (open && isStalled(open, now)) return open
  return createRun(db, {
    id: `cron:${job.kind}:${integration.id}:${job.scheduledAt}`,
    accountId: integration.accountId,
    integrationId: integration.id,
    kind: job.kind,
    trigger: 'cron',
    status: 'queued',
    updatedAtAfter: startCursor(integration, job.kind, now),
  })
}

/**
 * Runs one slice of an import job. Bad credentials end the run at once (no retry storm); other failures
 * leave the error readable and rethrow so the queue retries, and the last attempt marks the run failed.
 */
export async function runImportJob(deps: ImportDeps, job: ImportJob, attempt = 1): Promise<void> {
  const db = createDb(deps.env.DB)
  // Read again at the end: workerd's clock only moves across I/O, so a start time would misdate the finish.
  const clock = () => deps.now?.() ?? new Date()
  const now = clock()
  const integration = await db
    .select()
    .from(integrations)
    .where(and(eq(integrations.id, job.integrationId), live))
    .get()
  if (!integration) return
  const run = await openRun(db, job, integration, now)
  if (!run || run.status === 'succeeded' || run.status === 'failed') return
  await markRunning(db, run.id, now)

  const medods = createMedodsClient(
    {
      uid: integration.uid,
      identity: integration.identity,
      secretKey: await decryptSecret(integration.secretKeyEnc, deps.env.SECRETS_KEY),
    },
    {
      allowLocal: deps.env.MEDODS_ALLOW_LOCAL === '1',
      fetch: deps.fetch,
      sleep: deps.sleep,
      timeoutMs: deps.medodsTimeoutMs,
    }
  )
  try {
    const importSlice = job.kind === 'deals' ? importDealsSlice : importRequestsSlice
    const { more, details } = await importSlice({
      db,
      medods,
      integration,
      run,
      contactHashKey: deps.env.CONTACT_HASH_KEY,
      shards: visitShards(deps.env),
      now,
      maxPages: deps.pagesPerInvocation ?? PAGES_PER_INVOCATION,
    })
    await addToRun(db, run.id, { retries: medods.stats.retries, medodsRequests: medods.stats.requests })
    if (more) {
      await enqueueJobs(deps.env.IMPORTS, [{ ...job, runId: run.id }])
      return
    }
    const cursor = nextCursor(run, details)
    await finishRun(db, run, { status: 'succeeded', error: null, cursor, details }, clock())
  } catch (err) {
    await addToRun(db, run.id, { retries: medods.stats.retries, medodsRequests: medods.stats.requests })
    // A code and our own words: never a Medods body, which may echo the request and its token.
    const message =
      err instanceof MedodsError ? `${err.code}: ${err.message}` : 'internal_error: Internal error during import'
    if (err instanceof MedodsAuthError || attempt >= MAX_ATTEMPTS) {
      await finishRun(db, run, { status: 'failed', error: message }, clock())
      if (!(err instanceof MedodsError)) {
        console.error(JSON.stringify({ level: 'error', runId: run.id, error: describeForLog(err) }))
      }
      return
    }
    await recordRunError(db, run, message)
    throw err
  }
}
