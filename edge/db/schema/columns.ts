import { sql } from 'drizzle-orm'
import { integer } from 'drizzle-orm/sqlite-core'

// Column helpers shared by the tables: times are ms since epoch, defaulted by SQLite.

export const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`)

export const updatedAt = () =>
  integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`)

export const msTime = (name: string) => integer(name, { mode: 'timestamp_ms' }).notNull()
