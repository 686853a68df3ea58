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
import { sites } from './catalogue'
import { currentTouchColumns, storedTouchColumn } from './touch'

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
 * session). The first touch is write-once, kept whole; the current touch has a column per field (touch.ts).
 */
export const sessions = sqliteTable(
  'sessions',
  {
    siteId: text('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    visitorId: text('visitor_id').notNull(),
    startedAt: msTime('started_at'),
    lastSeenAt: msTime('last_seen_at'),
    landingUrl: text('landing_url').notNull(),
    firstTouch: storedTouchColumn('first_touch'),
    ...currentTouchColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    index('sessions_last_seen_idx').on(t.lastSeenAt),
  ]
)

/** A row that belongs to a session of its site, deleted with it. */
const ofSession = (t: { siteId: AnySQLiteColumn; sessionId: AnySQLiteColumn }) =>
  foreignKey({
    columns: [t.siteId, t.sessionId],
    foreignColumns: [sessions.siteId, sessions.id],
  }).onDelete('cascade')

/** One widget event; the client's event id is unique per site, so a retried send is stored once. */
export const events = sqliteTable(
  'events',
  {
    siteId: text('site_id').notNull(),
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
    primaryKey({ columns: [t.siteId, t.id] }),
    ofSession(t),
    index('events_session_idx').on(t.siteId, t.sessionId),
  ]
)

export const DRAWER_KINDS = ['iframe', 'link'] as const
/** How a drawer closed: `unload`, the page hidden or left; `hide`, anything else the widget saw. */
export const DRAWER_CLOSES = ['hide', 'unload'] as const

/**
 * One opening of the booking widget, assembled from its booking_open, booking_focus and booking_close
 * events (keyed by the open's event id) in whatever order they arrive. `iframe`: the drawer became
 * visible, until it was hidden, removed or the page left; `link`: a link to the booking site was
 * followed, until the visitor came back to the page or left it, or a moment when neither was seen. Times are corrected client times (collect/rows.ts). Until the open arrives, `openedAt` is
 * estimated from the close (closed minus visible time) or the focus, and `kind` is null.
 */
export const bookingDrawers = sqliteTable(
  'booking_drawers',
  {
    siteId: text('site_id').notNull(),
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
    primaryKey({ columns: [t.siteId, t.id] }),
    ofSession(t),
    // The booking-window rung: a site's drawers opened inside each booking's window.
    index('booking_drawers_site_opened_idx').on(t.siteId, t.openedAt),
  ]
)

/**
 * Contacts a session captured, only as HMAC-SHA256 hex under CONTACT_HASH_KEY (152-FZ: a plain hash of a
 * phone is reversible by enumeration). The check refuses anything that is not 64 lowercase hex digits.
 */
export const contactHashes = sqliteTable(
  'contact_hashes',
  {
    siteId: text('site_id').notNull(),
    hash: text('hash').notNull(),
    sessionId: text('session_id').notNull(),
    kind: text('kind', { enum: ['phone', 'email'] }).notNull(),
    at: msTime('at'),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.hash, t.sessionId] }),
    ofSession(t),
    // The contact rung: a site's sessions that captured a hash before a time.
    index('contact_hashes_site_hash_at_idx').on(t.siteId, t.hash, t.at),
    index('contact_hashes_session_idx').on(t.siteId, t.sessionId),
    check(
      'contact_hashes_hash_is_hmac_hex',
      sql`length(${t.hash}) = 64 AND ${t.hash} NOT GLOB '*[^0-9a-f]*'`
    ),
  ]
)

export type Session = typeof sessions.$inferSelect
export type NewSession = typeof sessions.$inferInsert
export type NewEvent = typeof events.$inferInsert
export type NewContactHash = typeof contactHashes.$inferInsert
export type NewBookingDrawer = typeof bookingDrawers.$inferInsert
export type BookingDrawer = typeof bookingDrawers.$inferSelect
