import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { advanceRun } from '../db/imports'
import { upsertRequests, type NewRequest } from '../db/request-writes'
import { campaigns, sites, type Integration, type RunDetails } from '../db/schema'
import { placementsOf, readScope, type ShardSites } from '../db/shards'
import { findBookingDrawers, findContactSightings, findSessionsByIds, mergeRanges } from '../db/visits'
import { createContactHasher } from '../crypto/contact-hash'
import { PAGE_LIMIT, type Page } from '../medods/client'
import type { Appointment } from '../medods/schema'
import { findSessionClaims } from '../db/request-claims'
import {
  matchBookings,
  SIGHTING_GRACE_MS,
  sessionIdsIn,
  type Attributed,
  type Booking,
  type Evidence,
} from '../matching'
import { contactKeys } from './contacts'
import {
  atRunCeiling,
  endOfList,
  lastSlice,
  nextOffset,
  peopleOf,
  sliceIsFull,
  unique,
  whenMissing,
  withSkipped,
  type SliceContext,
  type SliceResult,
} from './slices'
import { onlineSourceIdsOf, parseMedodsTime, toBooking, type BookingRecord } from './transform'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** How long a booking whose patient could not be read is imported again by each run (after its last change). */
export const PATIENT_RETRY_DAYS = 7

/** A booking as the request stores it, and as the matching sees it. */
type Prepared = { record: BookingRecord; booking: Booking }

/**
 * Imports online bookings page by page from the run's offset. Each page is committed in one atomic D1
 * batch together with the run's new offset, so a failure resumes at the first uncommitted page.
 * Answers whether pages remain for a continuation.
 */
export async function importRequestsSlice(ctx: SliceContext): Promise<SliceResult> {
  const { db, medods, integration, run } = ctx
  const online = onlineSourceIdsOf(integration.onlineSourceIds, await allItems(medods.appointmentSources()))
  const scope = readScope(ctx.shards, (await placementsOf(db, await matchingSites(db, integration))).values())
  const rules = await db.select().from(campaigns).where(eq(campaigns.accountId, integration.accountId))
  const hasher = await createContactHasher(ctx.contactHashKey)

  let pages = 0
  let details = run.details
  for await (const page of medods.appointments({ updatedAtAfter: run.updatedAtAfter }, run.nextOffset)) {
    const bookings = page.items.filter(
      (a) => a.appointmentSourceId != null && online.has(a.appointmentSourceId)
    )
    const { prepared, writes, patientMissing } = await prepareBookings(ctx, bookings, hasher)
    details = withPatientRetry(withSkipped(details, page.skipped), patientMissing, ctx)
    const matchable = prepared.map((p) => p.booking)
    const evidence = { ...(await gatherEvidence(scope, matchable, integration)), campaigns: rules }
    const { suspects, decide } = matchBookings(matchable, evidence, integration)
    const claims = suspects.length ? await findSessionClaims(db, integration.id, suspects) : []
    const matches = decide(claims)
    const rows = prepared.map(({ record, booking }, i) => toRequestRow(ctx, record, booking, matches[i]!))
    await db.batch([
      advanceRun(db, run.id, nextOffset(page), {
        pages: 1,
        fetched: bookings.length,
        stored: rows.length,
        malformed: page.skipped.length,
        ...countMethods(rows),
      }, details),
      ...writes,
      ...upsertRequests(db, rows),
    ])
    pages++
    if (endOfList(page) || atRunCeiling(ctx, pages)) break
    if (sliceIsFull(ctx, pages, CALLS_PER_PAGE)) return { more: true, details }
  }
  return lastSlice(ctx, details, pages)
}

/** A page's most Medods calls: the list, then per booking its patient and its doctor. */
const CALLS_PER_PAGE = 1 + 2 * PAGE_LIMIT

async function allItems<T>(pages: AsyncIterable<Page<T>>) {
  const items: T[] = []
  for await (const page of pages) items.push(...page.items)
  return items
}

async function matchingSites(db: Db, integration: Integration) {
  if (integration.siteIds.length > 0) return integration.siteIds
  const rows = await db.select({ id: sites.id }).from(sites).where(eq(sites.accountId, integration.accountId))
  return rows.map((row) => row.id)
}

/** Patients and doctors come from the D1 cache; only the missing ones are read from Medods. */
async function prepareBookings(
  ctx: SliceContext,
  bookings: Appointment[],
  hasher: (message: string) => Promise<string>
) {
  const { patients, doctors, writes } = await peopleOf(ctx, bookings, whenMissing)
  const prepared = await Promise.all(
    bookings.map(async (appointment): Promise<Prepared> => {
      const patient = appointment.clientId != null ? patients.get(appointment.clientId) : undefined
      const doctor = appointment.userId != null ? doctors.get(appointment.userId) : undefined
      const record = toBooking(appointment, patient, doctor, ctx.integration.timeZone)
      const keys = await contactKeys(record)
      const booking: Booking = {
        medodsAppointmentId: record.medodsAppointmentId,
        createdAt: record.createdAt,
        at: record.createdAt ?? ctx.now,
        contactHashes: await Promise.all(keys.map(hasher)),
        carriedIds: sessionIdsIn(...record.texts),
      }
      return { record, booking }
    })
  )
  const patientMissing = bookings.filter((a) => a.clientId != null && !patients.has(a.clientId))
  return { prepared, writes, patientMissing }
}

/**
 * A booking whose patient Medods could not serve is stored without name and contacts; the run remembers
 * the earliest such booking's update time (else its creation, which is no later) so the next run reads
 * from there again (`nextCursor` in `edge/imports/run.ts`), for bookings changed in the last
 * `PATIENT_RETRY_DAYS`.
 */
function withPatientRetry(details: RunDetails, missing: Appointment[], ctx: SliceContext): RunDetails {
  const since = ctx.now.getTime() - PATIENT_RETRY_DAYS * DAY
  const times = missing
    .flatMap((a) => parseMedodsTime(a.updatedAt ?? a.createdAt, ctx.integration.timeZone)?.getTime() ?? [])
    .filter((time) => time >= since)
  if (times.length === 0) return details
  const earliest = Math.floor(Math.min(...times) / 1000)
  const patientRetryFrom = Math.min(details.patientRetryFrom ?? earliest, earliest)
  return { ...details, patientRetryFrom }
}

/**
 * Three lookups per page, whatever its size: carried ids, contact sightings (by hash, so only matching rows
 * are read), and booking-widget openings inside each booking's own window.
 */
async function gatherEvidence(
  scope: ShardSites[],
  bookings: Booking[],
  integration: Integration
): Promise<Pick<Evidence, 'carried' | 'sightings' | 'drawers'>> {
  if (bookings.length === 0 || scope.length === 0) return { carried: [], sightings: [], drawers: [] }
  const times = bookings.map((b) => b.at.getTime())
  const carriedIds = unique(bookings.flatMap((b) => b.carriedIds))
  const hashes = unique(bookings.flatMap((b) => b.contactHashes))
  const windows = mergeRanges(
    bookings
      .filter((b) => b.createdAt !== null)
      .map((b) => ({
        from: new Date(b.at.getTime() - integration.windowBeforeMinutes * MINUTE),
        to: new Date(b.at.getTime() + integration.windowAfterMinutes * MINUTE),
      }))
  )
  const [carried, sightings, drawers] = await Promise.all([
    carriedIds.length ? findSessionsByIds(scope, carriedIds) : [],
    hashes.length
      ? findContactSightings(scope, {
          hashes,
          from: new Date(Math.min(...times) - integration.lookbackDays * DAY),
          to: new Date(Math.max(...times) + SIGHTING_GRACE_MS),
        })
      : [],
    // Read only when the rung may use them: their number grows with the site's traffic per window.
    integration.bookingWindowRung === 'on' && windows.length
      ? findBookingDrawers(scope, { ranges: windows })
      : [],
  ])
  return { carried, sightings, drawers }
}

function toRequestRow(
  ctx: SliceContext,
  record: BookingRecord,
  booking: Booking,
  result: Attributed
): NewRequest {
  const { integration } = ctx
  return {
    id: crypto.randomUUID(),
    accountId: integration.accountId,
    integrationId: integration.id,
    medodsAppointmentId: record.medodsAppointmentId,
    createdAt: booking.at,
    createdAtKnown: record.createdAt !== null,
    medodsClientId: record.medodsClientId,
    name: record.name,
    phone: record.phone,
    email: record.email,
    doctor: record.doctor,
    status: record.status,
    matchMethod: result.method,
    candidates: result.candidates,
    defaultReason: result.reason,
    sessionId: result.sessionId,
    campaignId: result.campaignId,
    sourceId: result.sourceId,
    siteId: result.siteId,
    attribution: result.attribution,
    importedAt: ctx.now,
  }
}

function countMethods(rows: NewRequest[]) {
  const count = (method: NewRequest['matchMethod']) => rows.filter((r) => r.matchMethod === method).length
  const because = (reason: NewRequest['defaultReason']) => rows.filter((r) => r.defaultReason === reason).length
  return {
    matchedSessionId: count('session_id'),
    matchedContact: count('contact'),
    matchedBookingWindow: count('booking_window'),
    defaulted: count('default'),
    defaultNoVisitSignal: because('no_visit_signal'),
    defaultAmbiguous: because('ambiguous'),
    defaultVisitTaken: because('visit_taken'),
    defaultRungOff: because('rung_off'),
    defaultNoCreatedAt: because('no_created_at'),
  }
}
