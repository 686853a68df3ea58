import type { Booking } from './transform'
import {
  attribute,
  candidatesFor,
  ladder,
  type Attributed,
  type MatchSettings,
  type PageEvidence,
} from './attribution'
import type { LadderMatch } from './ladder'

export type PageBooking = Booking & { at: Date; contactHashes: string[]; carriedIds: string[] }

const candidatesOf = (bookings: PageBooking[], evidence: PageEvidence, settings: MatchSettings) =>
  bookings.map((b) => candidatesFor(b, b.at, evidence, settings))

/** Sessions still open to the window rung after rungs 1–2: the ones stored claims are read for. */
export function windowSuspects(
  bookings: PageBooking[],
  evidence: PageEvidence,
  settings: MatchSettings
): string[] {
  if (settings.bookingWindowRung === 'off') return []
  const ids = candidatesOf(bookings, evidence, settings)
    .filter((c) => ladder(c, { windowRung: false }).method === 'default')
    .flatMap((c) => c.inWindow.map((s) => s.id))
  return [...new Set(ids)]
}

/**
 * Matches a page of bookings together, so that one session explains at most one booking: a
 * session named by a carried id or a contact (in this page, or a stored request of another
 * appointment) is no window candidate for anyone else, and a session that is the only window
 * candidate of two bookings explains neither (which one it made is a guess).
 */
export function matchPage(
  bookings: PageBooking[],
  evidence: PageEvidence,
  settings: MatchSettings
): Attributed[] {
  const found = candidatesOf(bookings, evidence, settings)
  const strong = found.map((c) => ladder(c, { windowRung: false }))
  const inPage = new Set(bookings.map((b) => b.medodsAppointmentId))
  const taken = new Set([
    ...(evidence.claims ?? [])
      .filter((claim) => !inPage.has(claim.medodsAppointmentId))
      .map((claim) => claim.sessionId),
    ...strong.flatMap((m) => (m.sessionId ? [m.sessionId] : [])),
  ])
  const windowRung = settings.bookingWindowRung === 'on'
  const matches = found.map((c, i) =>
    strong[i]!.sessionId ? strong[i]! : ladder(c, { taken, windowRung })
  )
  const contested = contestedSessions(matches)
  return found.map((c, i) =>
    attribute(c, unlessContested(matches[i]!, contested), evidence.campaigns, settings)
  )
}

function contestedSessions(matches: LadderMatch[]) {
  const seen = new Set<string>()
  const contested = new Set<string>()
  for (const { method, sessionId } of matches) {
    if (method !== 'booking_window' || !sessionId) continue
    if (seen.has(sessionId)) contested.add(sessionId)
    seen.add(sessionId)
  }
  return contested
}

const unlessContested = (match: LadderMatch, contested: Set<string>): LadderMatch =>
  match.method === 'booking_window' && contested.has(match.sessionId!)
    ? { method: 'default', candidates: match.candidates, sessionId: null }
    : match
