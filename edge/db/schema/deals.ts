import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, msTime } from './columns'

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
