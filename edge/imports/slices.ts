import type { Db } from '../db/client'
import type { VisitsDb } from '../db/shards'
import {
  cachedPatients,
  cachedUsers,
  upsertPatients,
  upsertUsers,
  type PatientContact,
} from '../db/medods-cache'
import type { ImportRun, Integration, RunDetails } from '../db/schema'
import type { MalformedRecord, MedodsApi, Page } from '../medods/client'
import { MedodsResponseError, MedodsUnavailableError } from '../medods/errors'
import type { Appointment } from '../medods/schema'
import { normalizeEmail, normalizePhone } from './contacts'
import { fullName } from './transform'

// An import runs in slices: each invocation walks Medods' list pages until its slice is full, then hands
// the rest to a continuation message. What the requests and the deals imports share in that loop.

export type SliceContext = {
  db: Db
  medods: MedodsApi
  integration: Integration
  run: ImportRun
  contactHashKey: string
  /** The visits shards, where the bookings' evidence is looked up. */
  shards: VisitsDb[]
  now: Date
  /** Pages one invocation may import before it hands the rest to a continuation message. */
  maxPages: number
}

/** Whether pages remain for a continuation, and the run's details (the last slice's are stored with its end). */
export type SliceResult = { more: boolean; details: RunDetails }

/** Workers allow 1,000 subrequests per invocation (paid plan), and every Medods call is one. */
const MEDODS_CALLS_PER_INVOCATION = 900

/** The offset after this page: malformed records were listed too. */
export const nextOffset = (page: Page<Appointment>) =>
  page.offset + page.items.length + page.skipped.length

/**
 * The most pages one run reads (2,000 pages, 200,000 appointments changed since the cursor): past it a
 * list that never ends (a Medods that ignores `offset` but answers new ids) is cut rather than followed.
 */
export const MAX_PAGES_PER_RUN = 2000

export const endOfList = (page: Page<Appointment>) =>
  nextOffset(page) === page.offset || nextOffset(page) >= page.totalItems

/** Whether the run has read as many pages as a run may, counting this slice's `pages`. */
export const atRunCeiling = (ctx: SliceContext, pages: number) =>
  ctx.run.pages + pages >= MAX_PAGES_PER_RUN

/** The last slice's result: a list cut short (a repeated page, the ceiling) is said, not only stopped. */
export function lastSlice(ctx: SliceContext, details: RunDetails, pages: number): SliceResult {
  const cut = atRunCeiling(ctx, pages)
    ? `the run reached its ceiling of ${MAX_PAGES_PER_RUN} pages`
    : ctx.medods.stats.listCut
  return { more: false, details: cut ? { ...details, listCut: cut } : details }
}

/**
 * Whether the slice must hand on before another page: after `maxPages`, or when a page at its worst
 * (`callsPerPage` Medods calls) could pass the invocation's subrequest limit.
 */
export const sliceIsFull = (ctx: SliceContext, pages: number, callsPerPage: number) =>
  pages >= ctx.maxPages || MEDODS_CALLS_PER_INVOCATION - ctx.medods.stats.requests < callsPerPage

/** How many ids of skipped records a run keeps: enough to look them up in Medods, not a log. */
export const MALFORMED_IDS_KEPT = 20

/** The run's details with a page's skipped records named (`appointments/5003`), up to the first 20. */
export function withSkipped(details: RunDetails, skipped: MalformedRecord[]): RunDetails {
  const kept = details.malformedIds ?? []
  if (skipped.length === 0 || kept.length >= MALFORMED_IDS_KEPT) return details
  const named = skipped.map((record) => `${record.resource}/${record.id ?? '?'}`)
  return { ...details, malformedIds: [...kept, ...named].slice(0, MALFORMED_IDS_KEPT) }
}

/**
 * A fault of one record, not of the run: Medods could not serve it (after retries) or refused it with a
 * status (404, 422…). The record stays unknown and a later run reads it again; a refused key or an answer
 * cut short still fails the page, so the queue retries it.
 */
export const isRecordFault = (err: unknown) =>
  err instanceof MedodsUnavailableError || (err instanceof MedodsResponseError && err.status !== 200)

/** A single record, or null when it is unknown this time (`isRecordFault`). */
async function readOrNull<T>(read: () => Promise<T | null>): Promise<T | null> {
  try {
    return await read()
  } catch (err) {
    if (isRecordFault(err)) return null
    throw err
  }
}

type Cached = { updatedAt: Date } | undefined

/** Requests need a patient's contacts once: a cached one is never read again. */
export const whenMissing = (row: Cached) => !row

/** Deals show current names: a person is read again once per run, so renames reach them. */
export const oncePerRun = (run: ImportRun) => (row: Cached) =>
  !row || row.updatedAt.getTime() <= run.createdAt.getTime()

/**
 * The patients and doctors (by name) of these appointments, from the D1 cache, reading from Medods
 * the ones `stale` picks. Answers them with the cache writes, for the page's own atomic batch.
 */
export async function peopleOf(ctx: SliceContext, appointments: Appointment[], stale: (row: Cached) => boolean) {
  const { db, medods, integration } = ctx
  const patientIds = unique(appointments.map((a) => a.clientId))
  const doctorIds = unique(appointments.map((a) => a.userId))
  const [cachedP, cachedD] = await Promise.all([
    cachedPatients(db, integration.id, patientIds),
    cachedUsers(db, integration.id, doctorIds),
  ])
  const patients = new Map<number, PatientContact>(cachedP)
  const doctors = new Map([...cachedD].map(([id, row]) => [id, row.name]))

  const freshPatients = []
  for (const id of patientIds.filter((id) => stale(cachedP.get(id)))) {
    const patient = await readOrNull(() => medods.client(id))
    if (!patient) continue
    // Normalised once, here: requests, the deals API and the pages read the cache as stored.
    const row = {
      name: fullName(patient),
      phone: normalizePhone(patient.phone),
      email: normalizeEmail(patient.email),
    }
    patients.set(id, row)
    freshPatients.push({ medodsId: id, ...row })
  }
  const freshDoctors = []
  for (const id of doctorIds.filter((id) => stale(cachedD.get(id)))) {
    const user = await readOrNull(() => medods.user(id))
    if (!user) continue
    doctors.set(id, fullName(user))
    freshDoctors.push({ medodsId: id, name: fullName(user) })
  }
  const writes = [
    ...upsertPatients(db, integration.id, freshPatients),
    ...upsertUsers(db, integration.id, freshDoctors),
  ]
  return { patients, doctors, writes }
}

export const unique = <T>(values: (T | null | undefined)[]) => [
  ...new Set(values.filter((v): v is T => v !== null && v !== undefined)),
]
