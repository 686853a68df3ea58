import { and, eq, getTableColumns, gte, inArray, lt, lte, or, type SQL, sql } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import { chunk, rowsPerStatement } from './batching'
import type { ShardSites, VisitsDb } from './shards'
import {
  bookingDrawers,
  contactHashes,
  events,
  sessions,
  type BookingDrawer,
  type NewBookingDrawer,
  type NewContactHash,
  type NewEvent,
  type NewSessionRow,
  type Session,
  type SessionRow,
} from './schema/visits'
import { CURRENT_TOUCH_KEYS, sameTouch, storedTouchOf, TOUCH_FIELD_KEYS } from './schema/touch'

// What one visits shard stores and answers. Rows name their site by its visits key; a `Session` outside
// names it by its id, so every read takes the keys of its sites (`ShardSites`) and maps them back.

// Types

/** One queue batch's rows for one shard, sites by visits key. */
export type IngestRows = {
  sessions: NewSessionRow[]
  events: NewEvent[]
  contacts: NewContactHash[]
  drawers: NewBookingDrawer[]
}

export type HashSighting = { hash: string; at: Date; session: Session }
export type DrawerSighting = { drawer: BookingDrawer; session: Session }
export type TimeRange = { from: Date; to: Date }

// Encoding

/** A session as its shard row stores it: the landing URL once, the first touch only when it differs. */
export function sessionRowOf(session: Session, site: number): NewSessionRow {
  const { siteId: _, firstTouch, touchLandingUrl, ...rest } = session
  return {
    ...rest,
    site,
    touchLandingUrl: touchLandingUrl === session.landingUrl ? null : touchLandingUrl,
    firstTouch: sameTouch(firstTouch, storedTouchOf(session)) ? null : firstTouch,
  }
}

/** A shard row as the session it stores. */
export function sessionOf(row: SessionRow, siteId: string): Session {
  const { site: _, firstTouch, ...rest } = row
  const current = { ...rest, siteId, touchLandingUrl: row.touchLandingUrl ?? row.landingUrl }
  return { ...current, firstTouch: firstTouch ?? storedTouchOf(current) }
}

// Writes

// A later non-direct touch replaces the current one (attribution.md §2: last non-direct click).
const laterNonDirect = sql`(excluded.touch_type <> 'direct'
  AND excluded.touch_at > ${sessions.touchAt})`
const excluded = (column: AnySQLiteColumn) => sql.raw(`excluded.${column.name}`)
const whenReplaced = (replacement: ReturnType<typeof sql>, column: AnySQLiteColumn) =>
  sql`CASE WHEN ${laterNonDirect} THEN ${replacement} ELSE ${column} END`

/** The stored current touch as the JSON of a whole touch: what becomes the first touch once replaced. */
const currentTouchJson = sql`json_object(${sql.join(
  TOUCH_FIELD_KEYS.map(([field, key]) => {
    const column = key === 'touchLandingUrl' ? sql`coalesce(${sessions.touchLandingUrl}, ${sessions.landingUrl})`
      : key === 'clickIds' ? sql`json(${sessions.clickIds})`
      : sql`${sessions[key]}`
    // The names inline, not bound: every bound parameter counts against D1's 100 a statement.
    return sql`${sql.raw(`'${field}'`)}, ${column}`
  }),
  sql`, `
)})`

const touchUpdates = {
  ...Object.fromEntries(
    CURRENT_TOUCH_KEYS.map((key) => [key, whenReplaced(excluded(sessions[key]), sessions[key])])
  ),
  // NULL when it is the session's landing URL, which a later send cannot change.
  touchLandingUrl: whenReplaced(
    sql`nullif(coalesce(excluded.touch_landing_url, excluded.landing_url), ${sessions.landingUrl})`,
    sessions.touchLandingUrl
  ),
  // The first touch was the current one while NULL: it is kept as it was once that is replaced.
  firstTouch: sql`CASE WHEN ${laterNonDirect} AND ${sessions.firstTouch} IS NULL
    THEN ${currentTouchJson} ELSE ${sessions.firstTouch} END`,
}

/** First touch, visitor and landing page are write-once; start moves back, last-seen forward. */
const upsertSessions = (db: VisitsDb, rows: NewSessionRow[]) =>
  db
    .insert(sessions)
    .values(rows)
    .onConflictDoUpdate({
      target: [sessions.site, sessions.id],
      set: {
        ...touchUpdates,
        startedAt: sql`min(${sessions.startedAt}, excluded.started_at)`,
        lastSeenAt: sql`max(${sessions.lastSeenAt}, excluded.last_seen_at)`,
      },
    })

const stored = (column: AnySQLiteColumn) => sql`${column}`

/** The same merge as `mergeDrawer` (collect/rows.ts), for parts that arrive in different batches. */
const upsertDrawers = (db: VisitsDb, rows: NewBookingDrawer[]) =>
  db
    .insert(bookingDrawers)
    .values(rows)
    .onConflictDoUpdate({
      target: [bookingDrawers.site, bookingDrawers.id],
      set: {
        openedAt: sql`CASE WHEN ${excluded(bookingDrawers.kind)} IS NOT NULL THEN ${excluded(bookingDrawers.openedAt)}
          WHEN ${stored(bookingDrawers.kind)} IS NOT NULL THEN ${stored(bookingDrawers.openedAt)}
          ELSE min(${stored(bookingDrawers.openedAt)}, ${excluded(bookingDrawers.openedAt)}) END`,
        focusedAt: sql`coalesce(min(${stored(bookingDrawers.focusedAt)}, ${excluded(bookingDrawers.focusedAt)}),
          ${stored(bookingDrawers.focusedAt)}, ${excluded(bookingDrawers.focusedAt)})`,
        ...Object.fromEntries(
          (['kind', 'closedAt', 'visibleMs', 'closedBy'] as const).map((key) => [
            key,
            sql`coalesce(${excluded(bookingDrawers[key])}, ${stored(bookingDrawers[key])})`,
          ])
        ),
      },
    })

/**
 * The statements that store one queue batch in one shard, sessions first (events and contacts reference
 * them), each under D1's bound-parameter limit. Retried events and already-captured contacts are ignored.
 * A move copies a site with the same statements, so copying merges with what the collector wrote.
 */
export function ingestStatements(db: VisitsDb, rows: IngestRows) {
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

/** One atomic D1 batch for the rows; returns the number of statements it ran. */
export async function writeIngestRows(db: VisitsDb, rows: IngestRows): Promise<number> {
  const [first, ...rest] = ingestStatements(db, rows)
  if (!first) return 0
  await db.batch([first, ...rest])
  return rest.length + 1
}

/**
 * Deletes sessions matching `where` (their events, contacts and drawers cascade), `slice` a statement so
 * none runs long, until none is left or `maxSlices` ran; answers the sessions deleted (counted from what
 * the statement returns: D1's `changes` counts the cascaded rows too).
 */
async function deleteSessionsWhere(db: VisitsDb, where: SQL | undefined, { slice = 500, maxSlices = Infinity }) {
  let deleted = 0
  for (let i = 0; i < maxSlices; i++) {
    const gone = await db.all<{ id: string }>(
      sql`DELETE FROM ${sessions} WHERE rowid IN
        (SELECT rowid FROM ${sessions} WHERE ${where} LIMIT ${slice}) RETURNING ${sessions.id}`
    )
    deleted += gone.length
    if (gone.length < slice) break
  }
  return deleted
}

/** Deletes the shard's sessions last seen before `cutoff`, with all that was theirs, in slices. */
export const purgeSessionsBefore = (db: VisitsDb, cutoff: Date, { slice = 500, maxSlices = 40 } = {}) =>
  deleteSessionsWhere(db, lt(sessions.lastSeenAt, cutoff), { slice, maxSlices })

/** Sessions a statement of `deleteSiteVisits` deletes. */
export const DELETE_SLICE = 1000

/**
 * Deletes one site's visits from a shard, with all that was theirs, at most `maxSlices` statements of
 * `DELETE_SLICE` sessions (an invocation may run 1,000 queries): fewer deleted than that means none is left.
 */
export const deleteSiteVisits = (db: VisitsDb, site: number, maxSlices: number) =>
  deleteSessionsWhere(db, eq(sessions.site, site), { slice: DELETE_SLICE, maxSlices })

// Queries for the matching ladder (product-spec §4), per shard; site keys and values chunked under the limit.

const SITES_PER_QUERY = 40
const VALUES_PER_QUERY = 50

async function perChunk<T>(
  scope: ShardSites[],
  values: string[],
  run: (db: VisitsDb, sites: number[], values: string[], siteOf: Map<number, string>) => Promise<T[]>
) {
  const results: T[] = []
  for (const { db, keys, siteOf } of scope) {
    for (const s of chunk(keys, SITES_PER_QUERY)) {
      for (const v of chunk(values, VALUES_PER_QUERY)) results.push(...(await run(db, s, v, siteOf)))
    }
  }
  return results
}

const ofSessionRow = (t: { site: AnySQLiteColumn; sessionId: AnySQLiteColumn }) =>
  and(eq(sessions.site, t.site), eq(sessions.id, t.sessionId))

/** Rung 1: sessions whose ids a booking carries, among the given sites. */
export function findSessionsByIds(scope: ShardSites[], sessionIds: string[]): Promise<Session[]> {
  return perChunk(scope, sessionIds, async (db, s, ids, siteOf) => {
    const rows = await db
      .select()
      .from(sessions)
      .where(and(inArray(sessions.site, s), inArray(sessions.id, ids)))
    return rows.map((row) => sessionOf(row, siteOf.get(row.site)!))
  })
}

/**
 * Rung 2, for a whole page of bookings at once: captures of any of `hashes` (stored hashes, see
 * `storedContactHash`) on the sites between `from` and `to`; the importer picks each booking's own.
 */
export function findContactSightings(
  scope: ShardSites[],
  q: { hashes: string[]; from: Date; to: Date }
): Promise<HashSighting[]> {
  return perChunk(scope, q.hashes, async (db, s, hashes, siteOf) => {
    const rows = await db
      .select({ hash: contactHashes.hash, at: contactHashes.at, session: getTableColumns(sessions) })
      .from(contactHashes)
      .innerJoin(sessions, ofSessionRow(contactHashes))
      .where(
        and(
          inArray(contactHashes.site, s),
          inArray(contactHashes.hash, hashes),
          gte(contactHashes.at, q.from),
          lte(contactHashes.at, q.to)
        )
      )
    return rows.map(({ session, ...seen }) => ({ ...seen, session: sessionOf(session, siteOf.get(session.site)!) }))
  })
}

// Two bound parameters a range; with 40 site keys a statement stays under 100.
const RANGES_PER_QUERY = 25

/**
 * Rung 3, for a whole page of bookings at once: booking-widget openings inside any of `ranges` (each
 * booking's own window, overlapping ones merged), with what followed them. Never the page's whole time
 * span: a page of bookings updated today may have been created over weeks, and that span would read
 * weeks of a site's traffic.
 */
export async function findBookingDrawers(
  scope: ShardSites[],
  q: { ranges: TimeRange[] }
): Promise<DrawerSighting[]> {
  const out: DrawerSighting[] = []
  for (const ranges of chunk(q.ranges, RANGES_PER_QUERY)) {
    const opened = bookingDrawers.openedAt
    const inside = or(...ranges.map((r) => and(gte(opened, r.from), lte(opened, r.to))))
    const rows = await perChunk(scope, [''], async (db, s, _, siteOf) => {
      const found = await db
        .select({ drawer: getTableColumns(bookingDrawers), session: getTableColumns(sessions) })
        .from(bookingDrawers)
        .innerJoin(sessions, ofSessionRow(bookingDrawers))
        .where(and(inArray(bookingDrawers.site, s), inside))
      return found.map(({ drawer, session }) => ({ drawer, session: sessionOf(session, siteOf.get(session.site)!) }))
    })
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
