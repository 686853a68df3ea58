import { and, eq, getTableColumns, getTableName, gte, type SQL, sql } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'
import { byCreation, keysetPage, within, type Keyset } from './keyset'
import { bookingDrawers, contactHashes, events, sessions, sites, type Site } from './schema'

// What the widget has sent from the account's sites, for the pages: each query is one statement with a
// handful of bound parameters, the per-site and per-session figures as correlated subqueries.

// Types

export type SiteActivity = { site: Site; lastHit: Date | null; visits: number; openings: number }

export type VisitFilter = Keyset & { startedFrom?: Date; startedTo?: Date; source?: string }

// Queries

const asDate = (ms: unknown) => new Date(Number(ms))

/**
 * A column of the outer query, named with its table: drizzle leaves columns bare in a one-table
 * select, and a bare name inside a correlated subquery is read as the subquery's own.
 */
const outer = (column: AnySQLiteColumn) =>
  sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`

/** The latest time the widget reported from the site: its sessions' latest last-seen. */
const lastHitOf = sql<Date | null>`(SELECT max(${sessions.lastSeenAt}) FROM ${sessions}
  WHERE ${sessions.siteId} = ${outer(sites.id)})`.mapWith(asDate)

/** The account's sites, oldest first as the catalogue lists them, each with its last hit. */
export const listSitesWithLastHit = (db: Db, accountId: string, page: Keyset) =>
  keysetPage(
    db
      .select({ ...getTableColumns(sites), lastHit: lastHitOf })
      .from(sites)
      .$dynamic(),
    byCreation(sites),
    [eq(sites.accountId, accountId)],
    page
  )

/**
 * One site of the account with its last hit, the visits seen and the booking-widget openings since
 * `since`, in one statement; undefined for another account's site or an unknown id.
 */
export async function findSiteActivity(
  db: Db,
  accountId: string,
  siteId: string,
  since: Date
): Promise<SiteActivity | undefined> {
  const row = await db
    .select({
      site: getTableColumns(sites),
      lastHit: lastHitOf,
      visits: sql<number>`(SELECT count(*) FROM ${sessions}
        WHERE ${sessions.siteId} = ${outer(sites.id)}
        AND ${gte(sessions.lastSeenAt, since)})`.mapWith(Number),
      openings: sql<number>`(SELECT count(*) FROM ${bookingDrawers}
        WHERE ${bookingDrawers.siteId} = ${outer(sites.id)}
        AND ${gte(bookingDrawers.openedAt, since)})`.mapWith(Number),
    })
    .from(sites)
    .where(and(eq(sites.accountId, accountId), eq(sites.id, siteId)))
    .get()
  return row ? { ...row, lastHit: row.lastHit ?? null } : undefined
}

/** A row of the session being listed (its site and id), for the subqueries counting by session. */
const ofListedSession = (t: { siteId: AnySQLiteColumn; sessionId: AnySQLiteColumn }): SQL =>
  sql`${t.siteId} = ${outer(sessions.siteId)} AND ${t.sessionId} = ${outer(sessions.id)}`

// Both counts read events by events_session_idx, contacts by contact_hashes_session_idx.
const eventsOfType = (type: 'pageview' | 'booking_open') =>
  sql<number>`(SELECT count(*) FROM ${events} WHERE ${ofListedSession(events)}
    AND ${eq(events.type, type)})`.mapWith(Number)

/**
 * The sessions of the account's sites, by start time, with what each did: pages seen, booking
 * widget openings, and only whether a contact was captured (never the hash).
 */
export const listVisits = (db: Db, accountId: string, filter: VisitFilter) =>
  keysetPage(
    db
      .select({
        siteId: sessions.siteId,
        id: sessions.id,
        startedAt: sessions.startedAt,
        lastSeenAt: sessions.lastSeenAt,
        landingUrl: sessions.landingUrl,
        touchType: sessions.touchType,
        source: sessions.source,
        medium: sessions.medium,
        campaign: sessions.campaign,
        siteName: sites.name,
        pages: eventsOfType('pageview'),
        openings: eventsOfType('booking_open'),
        contact: sql<boolean>`EXISTS (SELECT 1 FROM ${contactHashes}
          WHERE ${ofListedSession(contactHashes)})`.mapWith(Boolean),
      })
      .from(sessions)
      .innerJoin(sites, eq(sites.id, sessions.siteId))
      .$dynamic(),
    {
      time: sessions.startedAt,
      id: sessions.id,
      of: (row: { startedAt: Date; id: string }) => ({ at: row.startedAt.getTime(), id: row.id }),
    },
    [
      eq(sites.accountId, accountId),
      within(sessions.startedAt, filter.startedFrom, filter.startedTo),
      filter.source ? eq(sessions.source, filter.source) : undefined,
    ],
    filter
  )
