import { and, eq, getTableColumns, gte, inArray, lte } from 'drizzle-orm'
import type { Db } from './client'
import { contactHashes, events, sessions, type Session } from './schema'

/**
 * Page-level lookups for the matching ladder: a constant number of queries per page of bookings (each
 * chunked under D1's 100 bound parameters), never one per booking, so an import's cost grows linearly.
 */

const SITES_PER_QUERY = 40
const VALUES_PER_QUERY = 50

const chunk = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

async function perChunk<T>(siteIds: string[], values: string[], run: (s: string[], v: string[]) => Promise<T[]>) {
  const out: T[] = []
  for (const s of chunk(siteIds, SITES_PER_QUERY)) {
    for (const v of chunk(values, VALUES_PER_QUERY)) out.push(...(await run(s, v)))
  }
  return out
}

export type HashSighting = { hash: string; at: Date; session: Session }
export type BookingOpen = { at: Date; session: Session }

/** Contact captures of any of `hashes` on the sites between `from` and `to`. */
export function findContactSightings(
  db: Db,
  q: { siteIds: string[]; hashes: string[]; from: Date; to: Date }
): Promise<HashSighting[]> {
  return perChunk(q.siteIds, q.hashes, (s, hashes) =>
    db
      .select({ hash: contactHashes.hash, at: contactHashes.at, session: getTableColumns(sessions) })
      .from(contactHashes)
      .innerJoin(
        sessions,
        and(eq(sessions.siteId, contactHashes.siteId), eq(sessions.id, contactHashes.sessionId))
      )
      .where(
        and(
          inArray(contactHashes.siteId, s),
          inArray(contactHashes.hash, hashes),
          gte(contactHashes.at, q.from),
          lte(contactHashes.at, q.to)
        )
      )
  )
}

/** Openings of the booking widget on the sites between `from` and `to` (uses events_site_type_at_idx). */
export function findBookingOpens(
  db: Db,
  q: { siteIds: string[]; from: Date; to: Date }
): Promise<BookingOpen[]> {
  return perChunk(q.siteIds, [''], (s) =>
    db
      .select({ at: events.at, session: getTableColumns(sessions) })
      .from(events)
      .innerJoin(sessions, and(eq(sessions.siteId, events.siteId), eq(sessions.id, events.sessionId)))
      .where(
        and(
          inArray(events.siteId, s),
          eq(events.type, 'booking_open'),
          gte(events.at, q.from),
          lte(events.at, q.to)
        )
      )
  )
}
