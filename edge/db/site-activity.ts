import { and, count, eq, getTableName, gte, inArray, max, type SQL, sql } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import { chunk } from './batching'
import type { Db } from './client'
import { byCreation, keysetPage, within, type Keyset, type Position } from './keyset'
import { readScope, type ShardSites, type VisitsDb } from './shards'
import { sites, type Site } from './schema'
import { bookingDrawers, contactHashes, events, sessions } from './schema/visits'

// What the widget has sent from the account's sites, for the pages. The sites come from the main
// database, what they collected from their shards: a handful of statements per shard, the
// per-session figures as correlated subqueries.

// Types

export type SiteActivity = { site: Site; lastHit: Date | null; visits: number; openings: number }

export type VisitFilter = Keyset & { startedFrom?: Date; startedTo?: Date; source?: string }

// Queries

/** The latest time the widget reported from each site: its sessions' latest last-seen. */
async function lastHitsOf(scope: ShardSites[]): Promise<Map<string, Date>> {
  const hits = new Map<string, Date>()
  for (const { db, keys, siteOf } of scope) {
    for (const part of chunk(keys, 90)) {
      const rows = await db
        .select({ site: sessions.site, lastHit: max(sessions.lastSeenAt) })
        .from(sessions)
        .where(inArray(sessions.site, part))
        .groupBy(sessions.site)
      for (const row of rows) if (row.lastHit) hits.set(siteOf.get(row.site)!, row.lastHit)
    }
  }
  return hits
}

/** The account's sites, oldest first as the catalogue lists them, each with its last hit. */
export async function listSitesWithLastHit(db: Db, shards: VisitsDb[], accountId: string, page: Keyset) {
  const { rows, next } = await keysetPage(
    db.select().from(sites).$dynamic(),
    byCreation(sites),
    [eq(sites.accountId, accountId)],
    page
  )
  const hits = await lastHitsOf(readScope(shards, placed(rows)))
  return { rows: rows.map((site) => ({ ...site, lastHit: hits.get(site.id) ?? null })), next }
}

const placed = (rows: Site[]) =>
  rows.map((s) => ({ siteId: s.id, shard: s.shard, visitsKey: s.visitsKey, moveTo: s.moveTo }))

/**
 * One site of the account with its last hit, the visits seen and the booking-widget openings since
 * `since`; undefined for another account's site or an unknown id.
 */
export async function findSiteActivity(
  db: Db,
  shards: VisitsDb[],
  accountId: string,
  siteId: string,
  since: Date
): Promise<SiteActivity | undefined> {
  const site = await db
    .select()
    .from(sites)
    .where(and(eq(sites.accountId, accountId), eq(sites.id, siteId)))
    .get()
  if (!site) return undefined
  const scope = readScope(shards, placed([site]))
  const shard = scope[0]!.db
  const [visits, openings, hits] = await Promise.all([
    shard
      .select({ n: count() })
      .from(sessions)
      .where(and(eq(sessions.site, site.visitsKey), gte(sessions.lastSeenAt, since)))
      .get(),
    shard
      .select({ n: count() })
      .from(bookingDrawers)
      .where(and(eq(bookingDrawers.site, site.visitsKey), gte(bookingDrawers.openedAt, since)))
      .get(),
    lastHitsOf(scope),
  ])
  return { site, lastHit: hits.get(site.id) ?? null, visits: visits?.n ?? 0, openings: openings?.n ?? 0 }
}

/**
 * A column of the outer query, named with its table: drizzle leaves columns bare in a one-table
 * select, and a bare name inside a correlated subquery is read as the subquery's own.
 */
const outer = (column: AnySQLiteColumn) =>
  sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`

/** A row of the session being listed (its site and id), for the subqueries counting by session. */
const ofListedSession = (t: { site: AnySQLiteColumn; sessionId: AnySQLiteColumn }): SQL =>
  sql`${t.site} = ${outer(sessions.site)} AND ${t.sessionId} = ${outer(sessions.id)}`

// Both counts read events by events_session_idx, contacts by contact_hashes_session_idx.
const eventsOfType = (type: 'pageview' | 'booking_open') =>
  sql<number>`(SELECT count(*) FROM ${events} WHERE ${ofListedSession(events)}
    AND ${eq(events.type, type)})`.mapWith(Number)

const visitColumns = {
  site: sessions.site,
  id: sessions.id,
  startedAt: sessions.startedAt,
  lastSeenAt: sessions.lastSeenAt,
  landingUrl: sessions.landingUrl,
  touchType: sessions.touchType,
  source: sessions.source,
  medium: sessions.medium,
  campaign: sessions.campaign,
  pages: eventsOfType('pageview'),
  openings: eventsOfType('booking_open'),
  contact: sql<boolean>`EXISTS (SELECT 1 FROM ${contactHashes}
    WHERE ${ofListedSession(contactHashes)})`.mapWith(Boolean),
}

/**
 * The sessions of the account's sites, by start time, with what each did: pages seen, booking
 * widget openings, and only whether a contact was captured (never the hash). Each shard answers its
 * own page of the keyset; the pages are merged and cut, so the walk is the same as over one database.
 */
export async function listVisits(db: Db, shards: VisitsDb[], accountId: string, filter: VisitFilter) {
  const own = await db.select().from(sites).where(eq(sites.accountId, accountId))
  const names = new Map(own.map((s) => [s.id, s.name]))
  const parts = readScope(shards, placed(own)).flatMap(({ db: shard, keys, siteOf }) =>
    chunk(keys, 90).map((part) => ({ shard, part, siteOf }))
  )
  const pages = await Promise.all(
    parts.map(async ({ shard, part, siteOf }) => {
      const { rows } = await keysetPage(
        shard.select(visitColumns).from(sessions).$dynamic(),
        { time: sessions.startedAt, id: sessions.id, of: positionOf },
        [
          inArray(sessions.site, part),
          within(sessions.startedAt, filter.startedFrom, filter.startedTo),
          filter.source ? eq(sessions.source, filter.source) : undefined,
        ],
        // One row beyond the page from each shard: the merge below needs it to know another page follows.
        { ...filter, limit: filter.limit + 1 }
      )
      return rows.map(({ site, ...row }) => {
        const siteId = siteOf.get(site)!
        return { ...row, siteId, siteName: names.get(siteId)! }
      })
    })
  )
  const sign = filter.direction === 'desc' ? -1 : 1
  const merged = pages.flat().sort((a, b) => sign * compare(positionOf(a), positionOf(b)))
  const rows = merged.slice(0, filter.limit)
  return { rows, next: merged.length > filter.limit ? positionOf(rows.at(-1)!) : null }
}

const positionOf = (row: { startedAt: Date; id: string }): Position => ({ at: row.startedAt.getTime(), id: row.id })
const compare = (a: Position, b: Position) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
