import { and, eq, getTableColumns, gte, inArray, lt, lte, or, sql } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import { chunk, rowsPerStatement } from './batching'
import type { Db } from './client'
import {
  bookingDrawers,
  CURRENT_TOUCH_KEYS,
  contactHashes,
  events,
  sessions,
  type BookingDrawer,
  type NewBookingDrawer,
  type NewContactHash,
  type NewEvent,
  type NewSession,
  type Session,
} from './schema'

// Types

export type IngestRows = {
  sessions: NewSession[]
  events: NewEvent[]
  contacts: NewContactHash[]
  drawers: NewBookingDrawer[]
}


// Writes

// A later non-direct touch replaces the current one (attribution.md §2: last non-direct click).
const laterNonDirect = sql`(excluded.touch_type <> 'direct'
  AND excluded.touch_at > ${sessions.touchAt})`
const touchColumn = (column: AnySQLiteColumn) =>
  sql`CASE WHEN ${laterNonDirect} THEN excluded.${sql.raw(column.name)} ELSE ${column} END`

const touchUpdates = Object.fromEntries(
  CURRENT_TOUCH_KEYS.map((key) => [key, touchColumn(sessions[key])])
)

/** First touch, visitor and landing page are write-once; start moves back, last-seen forward. */
const upsertSessions = (db: Db, rows: NewSession[]) =>
  db
    .insert(sessions)
    .values(rows)
    .onConflictDoUpdate({
      target: [sessions.siteId, sessions.id],
      set: {
        ...touchUpdates,
        startedAt: sql`min(${sessions.startedAt}, excluded.started_at)`,
        lastSeenAt: sql`max(${sessions.lastSeenAt}, excluded.last_seen_at)`,
      },
    })

const stored = (column: AnySQLiteColumn) => sql`${column}`
const incoming = (column: AnySQLiteColumn) => sql.raw(`excluded.${column.name}`)

/** The same merge as `mergeDrawer` (collect/rows.ts), for parts that arrive in different batches. */
const upsertDrawers = (db: Db, rows: NewBookingDrawer[]) =>
  db
    .insert(bookingDrawers)
    .values(rows)
    .onConflictDoUpdate({
      target: [bookingDrawers.siteId, bookingDrawers.id],
      set: {
        openedAt: sql`CASE WHEN ${incoming(bookingDrawers.kind)} IS NOT NULL THEN ${incoming(bookingDrawers.openedAt)}
          WHEN ${stored(bookingDrawers.kind)} IS NOT NULL THEN ${stored(bookingDrawers.openedAt)}
          ELSE min(${stored(bookingDrawers.openedAt)}, ${incoming(bookingDrawers.openedAt)}) END`,
        focusedAt: sql`coalesce(min(${stored(bookingDrawers.focusedAt)}, ${incoming(bookingDrawers.focusedAt)}),
          ${stored(bookingDrawers.focusedAt)}, ${incoming(bookingDrawers.focusedAt)})`,
        ...Object.fromEntries(
          (['kind', 'closedAt', 'visibleMs', 'closedBy'] as const).map((key) => [
            key,
            sql`coalesce(${incoming(bookingDrawers[key])}, ${stored(bookingDrawers[key])})`,
          ])
        ),
      },
    })

/**
 * The statements that store one queue batch, sessions first (events and contacts reference them),
 * each under D1's bound-parameter limit. Retried events and already-captured contacts are ignored.
 */
export function ingestStatements(db: Db, rows: IngestRows) {
  return [
    ...chunk(rows.sessions, rowsPerStatement(sessions)).map((part) => upsertSessions(db, part)),
    ...chunk(rows.events, rowsPerStatement(events)).map((part) =>
      db.insert(events).values(part).onConflictDoNothing()
    ),
    ...chunk(rows.contacts, rowsPerStatement(contactHashes)).map((part) =>
      db.insert(contactHashes).values(part).onConflictDoNothing()
    ),
    ...chunk(rows.drawers, rowsPerStatement(bookingDrawers)).map((part) => upsertDrawers(db, part)),
  ]
}

/** One atomic D1 batch for the whole queue batch; returns the number of statements it ran. */
export async function writeIngestRows(db: Db, rows: IngestRows): Promise<number> {
  const [first, ...rest] = ingestStatements(db, rows)
  if (!first) return 0
  await db.batch([first, ...rest])
  return rest.length + 1
}

/** Deletes sessions last seen before `cutoff` (events and contact hashes cascade), in slices. */
export async function purgeSessionsBefore(
  db: Db,
  cutoff: Date,
  { slice = 500, maxSlices = 40 } = {}
) {
  let deleted = 0
  for (let i = 0; i < maxSlices; i++) {
    const result = await db.run(
      sql`DELETE FROM ${sessions} WHERE rowid IN
        (SELECT rowid FROM ${sessions} WHERE ${lt(sessions.lastSeenAt, cutoff)} LIMIT ${slice})`
    )
    deleted += result.meta.changes
    if (result.meta.changes < slice) break
  }
  return deleted
}

// Queries for the matching ladder (product-spec §4); site ids and values chunked under the limit.

const SITES_PER_QUERY = 40
const VALUES_PER_QUERY = 50

async function perChunk<T>(
  siteIds: string[],
  values: string[],
  run: (sites: string[], values: string[]) => Promise<T[]>
) {
  const results: T[] = []
  for (const s of chunk(siteIds, SITES_PER_QUERY)) {
    for (const v of chunk(values, VALUES_PER_QUERY)) results.push(...(await run(s, v)))
  }
  return results
}

/** Rung 1: sessions whose ids a booking carries, among the given sites. */
export function findSessionsByIds(
  db: Db,
  siteIds: string[],
  sessionIds: string[]
): Promise<Session[]> {
  return perChunk(siteIds, sessionIds, (s, ids) =>
    db
      .select()
      .from(sessions)
      .where(and(inArray(sessions.siteId, s), inArray(sessions.id, ids)))
  )
}

export type HashSighting = { hash: string; at: Date; session: Session }
export type DrawerSighting = { drawer: BookingDrawer; session: Session }

/**
 * Rung 2, for a whole page of bookings at once: captures of any of `hashes` (stored hashes, see
 * `storedContactHash`) on the sites between `from` and `to`; the importer picks each booking's own.
 */
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

export type TimeRange = { from: Date; to: Date }

// Two bound parameters a range; with 40 site ids a statement stays under 100.
const RANGES_PER_QUERY = 25

/**
 * Rung 3, for a whole page of bookings at once: booking-widget openings inside any of `ranges` (each
 * booking's own window, overlapping ones merged), with what followed them. Never the page's whole time
 * span: a page of bookings updated today may have been created over weeks, and that span would read
 * weeks of a site's traffic.
 */
export async function findBookingDrawers(
  db: Db,
  q: { siteIds: string[]; ranges: TimeRange[] }
): Promise<DrawerSighting[]> {
  const out: DrawerSighting[] = []
  for (const ranges of chunk(q.ranges, RANGES_PER_QUERY)) {
    const opened = bookingDrawers.openedAt
    const within = or(...ranges.map((r) => and(gte(opened, r.from), lte(opened, r.to))))
    const rows = await perChunk(q.siteIds, [''], (s) =>
      db
        .select({ drawer: getTableColumns(bookingDrawers), session: getTableColumns(sessions) })
        .from(bookingDrawers)
        .innerJoin(
          sessions,
          and(eq(sessions.siteId, bookingDrawers.siteId), eq(sessions.id, bookingDrawers.sessionId))
        )
        .where(and(inArray(bookingDrawers.siteId, s), within))
    )
    out.push(...rows)
  }
  return out
}

/** Sorted, overlapping or touching ranges joined, so no event is read twice. */
export function mergeRanges(ranges: TimeRange[]): TimeRange[] {
  const sorted = [...ranges].sort((a, b) => a.from.getTime() - b.from.getTime())
  const merged: TimeRange[] = []
  for (const range of sorted) {
    const last = merged.at(-1)
    if (last && range.from.getTime() <= last.to.getTime()) {
      if (range.to > last.to) last.to = range.to
    } else {
      merged.push({ from: range.from, to: range.to })
    }
  }
  return merged
}
