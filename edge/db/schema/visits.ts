import { sql } from 'drizzle-orm'
import {
  type AnySQLiteColumn,
  check,
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
} from 'drizzle-orm/sqlite-core'
import { msTime } from './columns'
import { currentTouchColumns, type CurrentTouch, type StoredTouch } from './touch'

// The schema of a visits shard (VISITS_0 … VISITS_{N-1}, migrations in migrations-visits/): what the
// widget collects, kept apart from the main database's control data so each D1 stays far below its cap.
// Rows name their site by the site's `visits_key` (a small integer from the main database's `sites`),
// not its UUID: the key is in every row and every index entry, and a UUID costs 37 bytes there.

export const EVENT_TYPES = [
  'pageview',
  'booking_open',
  'booking_focus',
  'booking_close',
  'booking_message',
  'form_submit',
  'identify',
  'custom',
] as const

/**
 * A widget session, keyed by the client's session id within its site (a key cannot claim another site's
 * session). The landing URL is stored once: the current touch's is NULL when it is the session's. The
 * first touch is write-once and NULL while it is the current touch (nearly always); it is kept whole as
 * JSON only once they differ, since nothing queries its fields.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    site: integer('site').notNull(),
    id: text('id').notNull(),
    visitorId: text('visitor_id').notNull(),
    startedAt: msTime('started_at'),
    lastSeenAt: msTime('last_seen_at'),
    landingUrl: text('landing_url').notNull(),
    firstTouch: text('first_touch', { mode: 'json' }).$type<StoredTouch>(),
    ...currentTouchColumns(),
    touchLandingUrl: text('touch_landing_url'),
  },
  (t) => [
    primaryKey({ columns: [t.site, t.id] }),
    // Retention deletes by last-seen time.
    index('sessions_last_seen_idx').on(t.lastSeenAt),
  ]
)

/** A row that belongs to a session of its site, deleted with it. */
const ofSession = (t: { site: AnySQLiteColumn; sessionId: AnySQLiteColumn }) =>
  foreignKey({
    columns: [t.site, t.sessionId],
    foreignColumns: [sessions.site, sessions.id],
  }).onDelete('cascade')

/** One widget event; the client's event id is unique per site, so a retried send is stored once. */
export const events = sqliteTable(
  'events',
  {
    site: integer('site').notNull(),
    id: text('id').notNull(),
    sessionId: text('session_id').notNull(),
    type: text('type', { enum: EVENT_TYPES }).notNull(),
    /** The client's clock, never later than `receivedAt`. */
    at: msTime('at'),
    receivedAt: msTime('received_at'),
    url: text('url'),
    name: text('name'),
  },
  (t) => [
    primaryKey({ columns: [t.site, t.id] }),
    ofSession(t),
    // The visits page counts a session's pages and openings; the cascade from sessions finds them.
    index('events_session_idx').on(t.site, t.sessionId),
  ]
)

export const DRAWER_KINDS = ['iframe', 'link'] as const
/** How a drawer closed: `unload`, the page hidden or left; `hide`, anything else the widget saw. */
export const DRAWER_CLOSES = ['hide', 'unload'] as const

/**
 * One opening of the booking widget, assembled from its booking_open, booking_focus and booking_close
 * events (keyed by the open's event id) in whatever order they arrive. `iframe`: the drawer became
 * visible, until it was hidden, removed or the page left; `link`: a link to the booking site was
 * followed, until the visitor came back to the page or left it, or a moment when neither was seen.
 * Times are corrected client times (collect/rows.ts). Until the open arrives, `openedAt` is estimated
 * from the close (closed minus visible time) or the focus, and `kind` is null.
 */
export const bookingDrawers = sqliteTable(
  'booking_drawers',
  {
    site: integer('site').notNull(),
    id: text('id').notNull(),
    sessionId: text('session_id').notNull(),
    kind: text('kind', { enum: DRAWER_KINDS }),
    openedAt: msTime('opened_at'),
    focusedAt: integer('focused_at', { mode: 'timestamp_ms' }),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
    visibleMs: integer('visible_ms'),
    closedBy: text('closed_by', { enum: DRAWER_CLOSES }),
  },
  (t) => [
    primaryKey({ columns: [t.site, t.id] }),
    ofSession(t),
    // The booking-window rung: a site's drawers opened inside each booking's window.
    index('booking_drawers_site_opened_idx').on(t.site, t.openedAt),
  ]
)

/**
 * Contacts a session captured, only as HMAC-SHA256 hex under CONTACT_HASH_KEY (152-FZ: a plain hash of a
 * phone is reversible by enumeration). The check refuses anything that is not 64 lowercase hex digits.
 */
export const contactHashes = sqliteTable(
  'contact_hashes',
  {
    site: integer('site').notNull(),
    hash: text('hash').notNull(),
    sessionId: text('session_id').notNull(),
    kind: text('kind', { enum: ['phone', 'email'] }).notNull(),
    at: msTime('at'),
  },
  (t) => [
    primaryKey({ columns: [t.site, t.hash, t.sessionId] }),
    ofSession(t),
    // The contact rung: a site's sessions that captured a hash before a time.
    index('contact_hashes_site_hash_at_idx').on(t.site, t.hash, t.at),
    // The visits page's "contact captured" and the cascade from sessions.
    index('contact_hashes_session_idx').on(t.site, t.sessionId),
    check(
      'contact_hashes_hash_is_hmac_hex',
      sql`length(${t.hash}) = 64 AND ${t.hash} NOT GLOB '*[^0-9a-f]*'`
    ),
  ]
)

export type SessionRow = typeof sessions.$inferSelect
export type NewSessionRow = typeof sessions.$inferInsert
export type NewEvent = typeof events.$inferInsert
export type NewContactHash = typeof contactHashes.$inferInsert
export type NewBookingDrawer = typeof bookingDrawers.$inferInsert
export type BookingDrawer = typeof bookingDrawers.$inferSelect

/**
 * A session as everything outside the shard sees it: named by its site's id, its touches whole. What
 * the matching reads and the collector produces; `edge/db/visits.ts` stores and reads it.
 */
export type Session = {
  siteId: string
  id: string
  visitorId: string
  startedAt: Date
  lastSeenAt: Date
  landingUrl: string
  firstTouch: StoredTouch
} & CurrentTouch
