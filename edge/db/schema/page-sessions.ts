import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt } from './columns'

/**
 * A signed-in browser of the pages. The cookie holds a random id; only its SHA-256 is stored, so a read of
 * this table signs nobody in. Signing out deletes the row; an expired one is refused and purged.
 */
export const pageSessions = sqliteTable(
  'page_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    accountId: text('account_id').notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('page_sessions_expires_idx').on(t.expiresAt)]
)
