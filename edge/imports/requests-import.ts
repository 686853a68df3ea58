import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { advanceRun } from '../db/imports'
import { cachedPatients, cachedUsers, upsertPatients, upsertUsers } from '../db/medods-cache'
import { upsertRequests, type NewRequest } from '../db/request-writes'
import { campaigns, sites, type ImportRun, type Integration } from '../db/schema'
import {
  findBookingOpens,
  findContactSightings,
  findSessionsByIds,
  mergeRanges,
} from '../db/sessions'
import { createContactHasher } from '../collect/contact-hash'
import type { MedodsApi, Page } from '../medods/client'
import type { Appointment } from '../medods/schema'
import { findSessionClaims } from '../db/request-claims'
import type { Attributed, PageEvidence } from './attribution'
import { matchPage, windowSuspects } from './page-match'
import { contactKeys } from './contacts'
import { sessionIdsIn } from './ladder'
import { fullName, onlineSourceIdsOf, toBooking, type Booking } from './transform'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

export type SliceContext = {
  db: Db
  medods: MedodsApi
  integration: Integration
  run: ImportRun
  contactHashKey: string
  now: Date
  /** Pages one invocation may import before it hands the rest to a continuation message. */
  maxPages: number
}

type Prepared = Booking & { at: Date; contactHashes: string[]; carriedIds: string[] }

/**
 * Imports online bookings page by page from the run's offset. Each page is committed in one atomic D1
 * batch together with the run's new offset, so a failure resumes at the first uncommitted page.
 * Answers whether pages remain for a continuation.
 */
export async function importRequestsSlice(ctx: SliceContext): Promise<{ more: boolean }> {
  const { db, medods, integration, run } = ctx
  const online = onlineSourceIdsOf(integration.onlineSourceIds, await allItems(medods.appointmentSources()))
  const siteIds = await matchingSites(db, integration)
  const rules = await db.select().from(campaigns).where(eq(campaigns.accountId, integration.accountId))
  const hasher = await createContactHasher(ctx.contactHashKey)

  let pages = 0
  for await (const page of medods.appointments({ updatedAtAfter: run.updatedAtAfter }, run.nextOffset)) {
    if (pages === ctx.maxPages) return { more: true }
    const bookings = page.items.filter(
      (a) => a.appointmentSourceId != null && online.has(a.appointmentSourceId)
    )
    const prepared = await prepareBookings(ctx, bookings, hasher)
    const evidence = { ...(await gatherEvidence(db, siteIds, prepared, integration)), campaigns: rules }
    const suspects = windowSuspects(prepared, evidence, integration)
    const claims = suspects.length ? await findSessionClaims(db, integration.id, suspects) : []
    const matches = matchPage(prepared, { ...evidence, claims }, integration)
    const rows = prepared.map((booking, i) => toRequestRow(ctx, booking, matches[i]!))
    const counts = countMethods(rows)
    const consumed = page.items.length + page.skipped.length
    await db.batch([
      advanceRun(db, run.id, page.offset + consumed, {
        pages: 1,
        fetched: bookings.length,
        stored: rows.length,
        malformed: page.skipped.length,
        ...counts,
      }),
      ...upsertRequests(db, rows),
    ])
    pages++
    if (endOfList(page)) break
  }
  return { more: false }
}

const endOfList = (page: Page<Appointment>) =>
  page.items.length + page.skipped.length === 0 ||
  page.offset + page.items.length + page.skipped.length >= page.totalItems

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

/** Patients and doctors come from the D1 cache; only the missing ones are fetched from Medods. */
async function prepareBookings(
  ctx: SliceContext,
  bookings: Appointment[],
  hasher: (message: string) => Promise<string>
): Promise<Prepared[]> {
  const { db, medods, integration } = ctx
  const patientIds = unique(bookings.map((a) => a.clientId))
  const doctorIds = unique(bookings.map((a) => a.userId))
  const patients = await cachedPatients(db, integration.id, patientIds)
  const doctors = await cachedUsers(db, integration.id, doctorIds)

  const fetchedPatients = []
  for (const id of patientIds.filter((id) => !patients.has(id))) {
    const patient = await medods.client(id)
    if (!patient) continue
    const row = { medodsId: id, name: fullName(patient), phone: patient.phone ?? null, email: patient.email ?? null }
    patients.set(id, { ...row, integrationId: integration.id, updatedAt: ctx.now })
    fetchedPatients.push(row)
  }
  const fetchedDoctors = []
  for (const id of doctorIds.filter((id) => !doctors.has(id))) {
    const user = await medods.user(id)
    if (!user) continue
    const row = { medodsId: id, name: fullName(user) }
    doctors.set(id, { ...row, integrationId: integration.id, updatedAt: ctx.now })
    fetchedDoctors.push(row)
  }
  const writes = [
    ...upsertPatients(db, integration.id, fetchedPatients),
    ...upsertUsers(db, integration.id, fetchedDoctors),
  ]
  const [first, ...rest] = writes
  if (first) await db.batch([first, ...rest])

  return Promise.all(
    bookings.map(async (appointment) => {
      const patient = appointment.clientId != null ? patients.get(appointment.clientId) : undefined
      const doctor = appointment.userId != null ? doctors.get(appointment.userId) : undefined
      const booking = toBooking(appointment, patient, doctor?.name)
      const keys = await contactKeys(booking)
      return {
        ...booking,
        at: booking.createdAt ?? ctx.now,
        contactHashes: await Promise.all(keys.map(hasher)),
        carriedIds: sessionIdsIn(...booking.texts),
      }
    })
  )
}

/**
 * Three lookups per page, whatever its size: carried ids, contact sightings (by hash, so only matching rows
 * are read), and booking-widget openings inside each booking's own window.
 */
async function gatherEvidence(
  db: Db,
  siteIds: string[],
  bookings: Prepared[],
  integration: Integration
): Promise<Omit<PageEvidence, 'campaigns'>> {
  if (bookings.length === 0 || siteIds.length === 0) return { carried: [], sightings: [], opens: [] }
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
  const [carried, sightings, opens] = await Promise.all([
    carriedIds.length ? findSessionsByIds(db, siteIds, carriedIds) : [],
    hashes.length
      ? findContactSightings(db, {
          siteIds,
          hashes,
          from: new Date(Math.min(...times) - integration.lookbackDays * DAY),
          to: new Date(Math.max(...times)),
        })
      : [],
    // Read only when the rung may use them: their number grows with the site's traffic per window.
    integration.bookingWindowRung === 'on' && windows.length
      ? findBookingOpens(db, { siteIds, ranges: windows })
      : [],
  ])
  return { carried, sightings, opens }
}

function toRequestRow(ctx: SliceContext, booking: Prepared, result: Attributed): NewRequest {
  const { integration } = ctx
  return {
    id: crypto.randomUUID(),
    accountId: integration.accountId,
    integrationId: integration.id,
    medodsAppointmentId: booking.medodsAppointmentId,
    createdAt: booking.at,
    createdAtKnown: booking.createdAt !== null,
    medodsClientId: booking.medodsClientId,
    name: booking.name,
    phone: booking.phone,
    email: booking.email,
    doctor: booking.doctor,
    status: booking.status,
    matchMethod: result.method,
    candidates: result.candidates,
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
  return {
    matchedSessionId: count('session_id'),
    matchedContact: count('contact'),
    matchedBookingWindow: count('booking_window'),
    defaulted: count('default'),
  }
}

const unique = <T>(values: (T | null | undefined)[]) =>
  [...new Set(values.filter((v): v is T => v !== null && v !== undefined))]
