import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

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

/**
 * A Medods connection of an account. The SecretKey is kept only as AES-GCM ciphertext (`secretKeyEnc`).
 * Issue #3 extends this table with the attribution defaults and the matching settings.
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
