import type { SessionClaim } from '../db/request-claims'
import { contactChoice, latest } from './rungs'
import type { Booking, Candidates, Match, MatchSettings } from './types'

/** Rungs 1 and 2 for one booking; null when neither holds. */
function strongMatch({ carried, byContact }: Candidates): Match | null {
  if (carried.length > 0) {
    return { method: 'session_id', candidates: carried.length, sessionId: latest(carried).id, reason: null }
  }
  if (byContact.length > 0) {
    return { method: 'contact', candidates: byContact.length, sessionId: contactChoice(byContact).id, reason: null }
  }
  return null
}

/** Sessions still open to the window rung after rungs 1–2: the ones stored claims are read for. */
export function windowSuspects(candidates: Candidates[], settings: MatchSettings): string[] {
  if (settings.bookingWindowRung === 'off') return []
  const ids = candidates.filter((c) => !strongMatch(c)).flatMap((c) => c.inWindow.map((s) => s.id))
  return [...new Set(ids)]
}

const defaulted = (candidates: number, reason: Match['reason']): Match => ({
  method: 'default',
  candidates,
  sessionId: null,
  reason,
})

/**
 * Matches a page of bookings together, so that one session explains at most one booking
 * (attribution.md §15). Rungs 1–2 decide first; their sessions, and sessions stored requests of other
 * appointments name, are nobody's window candidates. Then a booking is tied to a window candidate only
 * when each is the other's only one: a session that fits two bookings explains neither, and a booking
 * with two fitting sessions is ambiguous. Claiming iteratively (a booking's single candidate leaves
 * every other booking's list) found more but was less precise: 10% of bookings have no session, and
 * such a booking's lone candidate is someone else's (BENCHMARKS.md).
 */
export function matchPage(
  bookings: Booking[],
  candidates: Candidates[],
  claims: SessionClaim[],
  settings: MatchSettings
): Match[] {
  const strong = candidates.map(strongMatch)
  const inPage = new Set(bookings.map((b) => b.medodsAppointmentId))
  const taken = new Set([
    ...claims.filter((c) => !inPage.has(c.medodsAppointmentId)).map((c) => c.sessionId),
    ...strong.flatMap((m) => (m?.sessionId ? [m.sessionId] : [])),
  ])
  const windowRung = settings.bookingWindowRung === 'on'
  const left = candidates.map((c, i) => (strong[i] ? [] : c.inWindow.filter((s) => !taken.has(s.id))))
  const fits = new Map<string, number>()
  for (const sessions of left) for (const s of sessions) fits.set(s.id, (fits.get(s.id) ?? 0) + 1)
  return candidates.map((c, i) => {
    const [only, ...more] = left[i]!
    if (strong[i]) return strong[i]!
    if (windowRung && only && more.length === 0 && fits.get(only.id) === 1) {
      return { method: 'booking_window', candidates: 1, sessionId: only.id, reason: null }
    }
    return reasonOf(bookings[i]!, c, left[i]!.length, windowRung)
  })
}

function reasonOf(booking: Booking, candidates: Candidates, left: number, windowRung: boolean): Match {
  const found = candidates.inWindow.length
  if (!booking.createdAt) return defaulted(0, 'no_created_at')
  // With the rung off the import reads no openings: only the rung could have tied this booking.
  if (!windowRung) return defaulted(found, 'rung_off')
  if (found === 0) return defaulted(0, 'no_visit_signal')
  return left === 0 ? defaulted(0, 'visit_taken') : defaulted(left, 'ambiguous')
}
