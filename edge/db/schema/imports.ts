import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, updatedAt } from './columns'
import type { StoredTouch } from './touch'

// Imports from Medods (issue #6): runs, the Medods records they cache, and the requests they produce.

/**
 * Why no rung held: nothing of the visit was found; several visits fit; the one that fits explains
 * another booking; no carried id or contact, and the booking-window rung is off; the booking has no
 * creation time, so the window rung cannot apply.
 */
export const DEFAULT_REASONS = [
  'no_visit_signal',
  'ambiguous',
  'visit_taken',
  'rung_off',
  'no_created_at',
] as const
export type DefaultReason = (typeof DEFAULT_REASONS)[number]

/** Where a deal's amount came from (`edge/imports/deals-transform.ts`), in the order tried. */
export const AMOUNT_SOURCES = ['total', 'finalSum', 'sum', 'lines', 'no_order'] as const
export type AmountSource = (typeof AMOUNT_SOURCES)[number]

export type RunDetails = {
  /** The first ids of records skipped as malformed, `resource/id`. */
  malformedIds?: string[]
  /** Deals by where their amount came from. */
  amountFrom?: Partial<Record<AmountSource, number>>
  /** Why the first deal whose amount stayed unknown has none. */
  amountUnknownReason?: string
  /**
   * Requests: the earliest `updatedAt` (unix seconds) of a booking whose patient could not be read; the
   * next run starts there, so the booking is imported again once Medods serves the patient.
   */
  patientRetryFrom?: number
  /** Why the list ended before Medods' `totalItems`: a repeated page, or the run's page ceiling. */
  listCut?: string
}

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
    /** Why the defaulted requests got the default, one counter per `DEFAULT_REASONS` entry. */
    defaultNoVisitSignal: integer('default_no_visit_signal').notNull().default(0),
    defaultAmbiguous: integer('default_ambiguous').notNull().default(0),
    defaultVisitTaken: integer('default_visit_taken').notNull().default(0),
    defaultRungOff: integer('default_rung_off').notNull().default(0),
    defaultNoCreatedAt: integer('default_no_created_at').notNull().default(0),
    malformed: integer('malformed').notNull().default(0),
    /** Deals runs: deals whose order could not be read, stored with the amount unknown. */
    amountUnknown: integer('amount_unknown').notNull().default(0),
    retries: integer('retries').notNull().default(0),
    /** What the counters do not say: which records were skipped, where amounts came from, what to read again. */
    details: text('details', { mode: 'json' }).$type<RunDetails>().notNull().default(sql`'{}'`),
    medodsRequests: integer('medods_requests').notNull().default(0),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    /** When a slice last started or committed a page: a run open with no progress for long is stalled. */
    progressAt: integer('progress_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('import_runs_account_idx').on(t.accountId, t.createdAt, t.id),
    index('import_runs_integration_idx').on(t.integrationId, t.createdAt),
  ]
)

/** Medods patients the imports needed (re-read as `edge/imports/slices.ts` says): name, contacts only. */
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
    /** Why a `default` request got the default (null for a match). */
    defaultReason: text('default_reason', { enum: DEFAULT_REASONS }),
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

/** The matched session's touch as a request keeps it: everything but its type and time. */
export type RequestAttribution = Omit<StoredTouch, 'type' | 'at'>
export type ImportRun = typeof importRuns.$inferSelect
export type RequestRow = typeof requests.$inferSelect
