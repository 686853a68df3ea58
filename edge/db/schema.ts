import { sql } from 'drizzle-orm'
import {
  check,
  foreignKey,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`)
const updatedAt = () =>
  integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`)

/** A cabinet account: the `sub` of the cabinet's JWT. Rows appear the first time an account writes. */
export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  createdAt: createdAt(),
})

/** A clinic website that carries the widget; `siteKey` is public and names the site in widget payloads. */
export const sites = sqliteTable(
  'sites',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    domain: text('domain').notNull(),
    siteKey: text('site_key').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('sites_site_key_unique').on(t.siteKey),
    index('sites_account_idx').on(t.accountId, t.createdAt, t.id),
  ]
)

/** An advertising campaign of the account; the UTM rules (lowercased, null = any) resolve sessions to it. */
export const campaigns = sqliteTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    utmSource: text('utm_source'),
    utmMedium: text('utm_medium'),
    utmCampaign: text('utm_campaign'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('campaigns_account_idx').on(t.accountId, t.createdAt, t.id)]
)

/** A traffic source of the account (e.g. "Телефон", "Сарафан"), usable as an integration's default. */
export const sources = sqliteTable(
  'sources',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('sources_account_idx').on(t.accountId, t.createdAt, t.id)]
)

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
    /** Whether the booking-window rung matches (BENCHMARKS.md: it costs precision; off by default). */
    bookingWindowRung: text('booking_window_rung', { enum: ['off', 'on'] }).notNull().default('off'),
    /** Import cursors (Medods `updatedAtAfter`, unix seconds), kept by the importer. */
    requestsCursor: integer('requests_cursor'),
    dealsCursor: integer('deals_cursor'),
    lastRunAt: integer('last_run_at', { mode: 'timestamp_ms' }),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('integrations_account_idx').on(t.accountId, t.createdAt, t.id),
    index('integrations_active_idx').on(t.active),
  ]
)

export type Site = typeof sites.$inferSelect
export type Integration = typeof integrations.$inferSelect
export type Campaign = typeof campaigns.$inferSelect
export type Source = typeof sources.$inferSelect

// Imports from Medods (issue #6): runs, the Medods records they cache, and the requests they produce.

/** One import of one kind for one integration; counters grow page by page, each page committed atomically. */
export const importRuns = sqliteTable(
  'import_runs',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    integrationId: text('integration_id').notNull(),
    kind: text('kind', { enum: ['requests', 'deals'] }).notNull(),
    trigger: text('trigger', { enum: ['cron', 'manual'] }).notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull(),
    /** `updatedAtAfter` of this run (unix seconds) and the offset of the next page to fetch. */
    updatedAtAfter: integer('updated_at_after').notNull(),
    nextOffset: integer('next_offset').notNull().default(0),
    pages: integer('pages').notNull().default(0),
    fetched: integer('fetched').notNull().default(0),
    stored: integer('stored').notNull().default(0),
    matchedSessionId: integer('matched_session_id').notNull().default(0),
    matchedContact: integer('matched_contact').notNull().default(0),
    matchedBookingWindow: integer('matched_booking_window').notNull().default(0),
    defaulted: integer('defaulted').notNull().default(0),
    malformed: integer('malformed').notNull().default(0),
    /** Deals runs: deals whose order could not be read, stored with the amount unknown. */
    amountUnknown: integer('amount_unknown').notNull().default(0),
    retries: integer('retries').notNull().default(0),
    medodsRequests: integer('medods_requests').notNull().default(0),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('import_runs_account_idx').on(t.accountId, t.createdAt, t.id),
    index('import_runs_integration_idx').on(t.integrationId, t.createdAt),
  ]
)

/** Medods patients an import has needed, so each is fetched once. Health data: name and contacts only. */
export const medodsClients = sqliteTable(
  'medods_clients',
  {
    integrationId: text('integration_id').notNull(),
    medodsId: integer('medods_id').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    email: text('email'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.medodsId] })]
)

/** Medods staff (doctors), for the doctor of a request and the manager of a deal. */
export const medodsUsers = sqliteTable(
  'medods_users',
  {
    integrationId: text('integration_id').notNull(),
    medodsId: integer('medods_id').notNull(),
    name: text('name').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.medodsId] })]
)

/** An online booking (заявка) as a request (обращение) with the attribution the matching ladder found. */
export const requests = sqliteTable(
  'requests',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    integrationId: text('integration_id').notNull(),
    medodsAppointmentId: integer('medods_appointment_id').notNull(),
    /** The booking's creation: Medods' createdAt when it has one, else when an import first saw it. */
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    createdAtKnown: integer('created_at_known', { mode: 'boolean' }).notNull(),
    medodsClientId: integer('medods_client_id'),
    name: text('name'),
    phone: text('phone'),
    email: text('email'),
    doctor: text('doctor'),
    status: text('status'),
    matchMethod: text('match_method', {
      enum: ['session_id', 'contact', 'booking_window', 'default'],
    }).notNull(),
    candidates: integer('candidates').notNull(),
    sessionId: text('session_id'),
    campaignId: text('campaign_id'),
    sourceId: text('source_id'),
    siteId: text('site_id'),
    /** The matched session's attribution: { source, medium, campaign, content, term, utmId, clickIds, landingUrl, referrer }. */
    attribution: text('attribution', { mode: 'json' }).$type<RequestAttribution>(),
    importedAt: integer('imported_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('requests_appointment_unique').on(t.integrationId, t.medodsAppointmentId),
    index('requests_account_idx').on(t.accountId, t.createdAt, t.id),
    // The window rung's one-session, one-booking rule reads which requests name a session.
    index('requests_session_idx').on(t.integrationId, t.sessionId),
  ]
)

export type RequestAttribution = {
  source: string
  medium: string
  campaign: string
  content: string
  term: string
  utmId: string
  clickIds: Record<string, string>
  landingUrl: string
  referrer: string
}
export type ImportRun = typeof importRuns.$inferSelect
export type RequestRow = typeof requests.$inferSelect

export const TOUCH_TYPES = ['utm', 'organic', 'referral', 'direct'] as const
export const EVENT_TYPES = [
  'pageview',
  'booking_open',
  'booking_message',
  'form_submit',
  'identify',
  'custom',
] as const

/** A touch as the widget classified it; the first touch of a session is kept whole as JSON. */
export type StoredTouch = {
  type: (typeof TOUCH_TYPES)[number]
  source: string
  medium: string
  campaign: string
  content: string
  term: string
  utmId: string
  clickIds: Record<string, string>
  landingUrl: string
  referrer: string
  at: number
}

const msTime = (name: string) => integer(name, { mode: 'timestamp_ms' }).notNull()

/**
 * A widget session, keyed by the client's session id within its site (a key cannot claim another site's
 * session). The first touch is write-once; the unprefixed touch columns are the session's current touch.
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
    firstTouch: text('first_touch', { mode: 'json' }).$type<StoredTouch>().notNull(),
    touchType: text('touch_type', { enum: TOUCH_TYPES }).notNull(),
    source: text('source').notNull(),
    medium: text('medium').notNull(),
    campaign: text('campaign').notNull(),
    content: text('content').notNull(),
    term: text('term').notNull(),
    utmId: text('utm_id').notNull(),
    clickIds: text('click_ids', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    touchLandingUrl: text('touch_landing_url').notNull(),
    touchReferrer: text('touch_referrer').notNull(),
    touchAt: msTime('touch_at'),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    index('sessions_last_seen_idx').on(t.lastSeenAt),
  ]
)

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
    foreignKey({
      columns: [t.siteId, t.sessionId],
      foreignColumns: [sessions.siteId, sessions.id],
    }).onDelete('cascade'),
    // The booking-window rung: booking_open events of a site in a time window.
    index('events_site_type_at_idx').on(t.siteId, t.type, t.at),
    index('events_session_idx').on(t.siteId, t.sessionId),
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
    foreignKey({
      columns: [t.siteId, t.sessionId],
      foreignColumns: [sessions.siteId, sessions.id],
    }).onDelete('cascade'),
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

// Deals built from Medods appointments (issue #7): per-integration pipelines, their stages, deals, history.

export const STAGE_KINDS = ['in_process', 'success', 'failed'] as const

/** A sales pipeline of an integration. The import keeps one, key `medods`, named "Medods". */
export const pipelines = sqliteTable(
  'pipelines',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    integrationId: text('integration_id').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('pipelines_integration_key_unique').on(t.integrationId, t.key),
    index('pipelines_account_idx').on(t.accountId, t.createdAt, t.id),
  ]
)

/** A stage of a pipeline: one per Medods appointment status, an unknown status becoming its own stage. */
export const pipelineStages = sqliteTable(
  'pipeline_stages',
  {
    id: text('id').primaryKey(),
    pipelineId: text('pipeline_id').notNull(),
    medodsStatus: text('medods_status').notNull(),
    title: text('title').notNull(),
    kind: text('kind', { enum: STAGE_KINDS }).notNull(),
    order: integer('sort_order').notNull(),
  },
  (t) => [uniqueIndex('pipeline_stages_status_unique').on(t.pipelineId, t.medodsStatus)]
)

/**
 * A deal (сделка): one per Medods appointment. `amount` null = unknown (the order could not be read);
 * contact and manager are the cached Medods client and user; `modifiedAt` moves only when a field changes.
 */
export const deals = sqliteTable(
  'deals',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    integrationId: text('integration_id').notNull(),
    medodsAppointmentId: integer('medods_appointment_id').notNull(),
    pipelineId: text('pipeline_id').notNull(),
    stageId: text('stage_id').notNull(),
    title: text('title').notNull(),
    amount: real('amount'),
    currency: text('currency').notNull().default('RUB'),
    medodsClientId: integer('medods_client_id'),
    medodsUserId: integer('medods_user_id'),
    medodsOrderId: integer('medods_order_id'),
    /** Medods' createdAt when it has one, else when an import first saw the appointment. */
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    createdAtKnown: integer('created_at_known', { mode: 'boolean' }).notNull(),
    modifiedAt: msTime('modified_at'),
    stageChangedAt: msTime('stage_changed_at'),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('deals_appointment_unique').on(t.integrationId, t.medodsAppointmentId),
    index('deals_account_modified_idx').on(t.accountId, t.modifiedAt, t.id),
  ]
)

/** Every stage a deal was seen entering, in order; the first row of a deal has no `fromStageId`. */
export const dealStageHistory = sqliteTable(
  'deal_stage_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    dealId: text('deal_id').notNull(),
    fromStageId: text('from_stage_id'),
    toStageId: text('to_stage_id').notNull(),
    at: msTime('at'),
  },
  (t) => [index('deal_stage_history_deal_idx').on(t.dealId, t.id)]
)

export type Pipeline = typeof pipelines.$inferSelect
export type PipelineStage = typeof pipelineStages.$inferSelect
export type Deal = typeof deals.$inferSelect
export type NewDeal = typeof deals.$inferInsert
