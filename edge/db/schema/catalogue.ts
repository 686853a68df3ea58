import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt, updatedAt } from './columns'

/** A cabinet account: the `sub` of the cabinet's JWT. Rows appear the first time an account writes. */
export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  createdAt: createdAt(),
})

/**
 * A clinic website that carries the widget; `siteKey` is public and names the site in widget payloads.
 * Its visits live in the shard `VISITS_{shard}` under `visitsKey` (unique across shards, so a site
 * keeps it when it moves), drawn from `visitsKeys` (a trigger of migration 0005 draws it for a row
 * inserted without one).
 * While a move copies it, `moveTo` is the shard that gets its new visits too; once switched,
 * `moveFrom` is the shard its old copy is being deleted from; `moveCursor` is the last session id copied
 * (edge/db/shard-moves.ts).
 */
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
    shard: integer('shard').notNull().default(0),
    visitsKey: integer('visits_key').notNull(),
    moveTo: integer('move_to'),
    moveFrom: integer('move_from'),
    moveCursor: text('move_cursor'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('sites_site_key_unique').on(t.siteKey),
    uniqueIndex('sites_visits_key_unique').on(t.visitsKey),
    index('sites_account_idx').on(t.accountId, t.createdAt, t.id),
  ]
)

/** The visits keys drawn so far: AUTOINCREMENT never hands out a key again, even a deleted site's. */
export const visitsKeys = sqliteTable('visits_keys', {
  key: integer('key').primaryKey({ autoIncrement: true }),
})

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


export type Site = typeof sites.$inferSelect
export type Campaign = typeof campaigns.$inferSelect
export type Source = typeof sources.$inferSelect
