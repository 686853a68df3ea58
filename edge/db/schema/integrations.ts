import { isNull, sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, updatedAt } from './columns'
import { accounts, campaigns, sites, sources } from './catalogue'

/** A connection check as stored: when, the verdict, and each item the imports read. */
export type StoredCheck = {
  at: string
  ok: boolean
  reason?: string
  message?: string
  items: { item: string; status: 'ok' | 'missing' | 'not_understood'; message: string }[]
}

/**
 * A Medods connection of an account. The SecretKey is kept only as AES-GCM ciphertext (`secretKeyEnc`) plus
 * its display mask. The default campaign, or source + site, is used for bookings no session explains.
 */
export const integrations = sqliteTable(
  'integrations',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    kind: text('kind', { enum: ['medods'] }).notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(false),
    uid: text('uid').notNull(),
    identity: text('identity').notNull(),
    secretKeyEnc: text('secret_key_enc').notNull(),
    sendRequests: integer('send_requests', { mode: 'boolean' }).notNull().default(false),
    sendDeals: integer('send_deals', { mode: 'boolean' }).notNull().default(false),
    secretKeyMask: text('secret_key_mask').notNull().default('••••'),
    defaultCampaignId: text('default_campaign_id').references(() => campaigns.id),
    defaultSourceId: text('default_source_id').references(() => sources.id),
    defaultSiteId: text('default_site_id').references(() => sites.id),
    /** Medods appointment source ids that count as online booking; empty = detect by title. */
    onlineSourceIds: text('online_source_ids', { mode: 'json' })
      .$type<number[]>()
      .notNull()
      .default(sql`'[]'`),
    /** The sites whose sessions bookings are matched against; empty = all of the account's sites. */
    siteIds: text('site_ids', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    lookbackDays: integer('lookback_days').notNull().default(30),
    windowBeforeMinutes: integer('window_before_minutes').notNull().default(30),
    windowAfterMinutes: integer('window_after_minutes').notNull().default(5),
    /** Whether the booking-window rung matches (on by default since drawers are intervals: BENCHMARKS.md). */
    bookingWindowRung: text('booking_window_rung', { enum: ['off', 'on'] }).notNull().default('on'),
    /** The clinic's IANA time zone: Medods times without a UTC offset are read in it. */
    timeZone: text('time_zone').notNull().default('Europe/Moscow'),
    /** Import cursors (Medods `updatedAtAfter`, unix seconds), kept by the importer. */
    requestsCursor: integer('requests_cursor'),
    dealsCursor: integer('deals_cursor'),
    lastRunAt: integer('last_run_at', { mode: 'timestamp_ms' }),
    lastError: text('last_error'),
    /** The last connection check's report, shown on the integration's page. */
    lastCheck: text('last_check', { mode: 'json' }).$type<StoredCheck>(),
    /** Deleted integrations keep their imported data (unless purged) but are gone from every read. */
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('integrations_account_idx').on(t.accountId, t.createdAt, t.id),
    index('integrations_active_idx').on(t.active),
  ]
)

export type Integration = typeof integrations.$inferSelect

/** Not deleted: every read of integrations filters by this, so a deleted one is gone everywhere. */
export const live = isNull(integrations.deletedAt)
