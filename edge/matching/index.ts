/**
 * The matching of online bookings to visits, in one place: the import gathers evidence (edge/imports)
 * and stores what this decides. Pure throughout.
 */
import { attribute } from './attribute'
import { matchPage, windowSuspects } from './assign'
import { candidatesOf } from './candidates'
import type { Attributed, Booking, Evidence, MatchSettings } from './types'

export { SIGHTING_GRACE_MS, sessionIdsIn } from './rungs'
export type { Attributed, Booking, Evidence, MatchSettings } from './types'

/**
 * Matches a page of bookings in two steps around the one lookup that depends on the candidates: the
 * stored requests that claim them.
 */
export function matchBookings(
  bookings: Booking[],
  evidence: Omit<Evidence, 'claims'>,
  settings: MatchSettings
) {
  const candidates = candidatesOf(bookings, evidence, settings)
  return {
    suspects: windowSuspects(candidates, settings),
    decide: (claims: Evidence['claims']): Attributed[] =>
      matchPage(bookings, candidates, claims, settings).map((match, i) =>
        attribute(candidates[i]!, match, evidence.campaigns, settings)
      ),
  }
}
