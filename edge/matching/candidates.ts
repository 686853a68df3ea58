import type { Session } from '../db/schema'
import { openingFits, sightingFits } from './rungs'
import type { Booking, Candidates, Evidence, MatchSettings } from './types'

const unique = (list: Session[]) => [...new Map(list.map((s) => [`${s.siteId} ${s.id}`, s])).values()]

/** Each booking's candidates per rung, picked out of the page's evidence in one pass. Pure. */
export function candidatesOf(
  bookings: Booking[],
  evidence: Pick<Evidence, 'carried' | 'sightings' | 'drawers'>,
  settings: MatchSettings
): Candidates[] {
  return bookings.map((booking) => {
    const ids = new Set(booking.carriedIds)
    const hashes = new Set(booking.contactHashes)
    const created = booking.createdAt
    const byContact = evidence.sightings.filter(
      (s) => hashes.has(s.hash) && sightingFits(s.at, booking.at, settings)
    )
    // Without Medods' createdAt the booking's moment is unknown, and a window around "first seen" would lie.
    const inWindow = created ? evidence.drawers.filter((d) => openingFits(d, created, settings)) : []
    return {
      carried: unique(evidence.carried.filter((s) => ids.has(s.id))),
      byContact: unique(byContact.map((s) => s.session)),
      inWindow: unique(inWindow.map((d) => d.session)),
    }
  })
}
