import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { decodeCursor } from '../api/pagination'
import type { Db } from './client'
import { importRuns, requests } from './schema'

// Reads only the pages need: a person wants the latest first, where the API walks oldest first.

/** The keyset condition "before this cursor" for a descending (time, id) order. */
function beforeCursor(cursor: string | undefined, time: SQLiteColumn, id: SQLiteColumn): SQL | undefined {
  if (!cursor) return undefined
  const position = decodeCursor(cursor)
  const at = new Date(position.at)
  return or(lt(time, at), and(eq(time, at), lt(id, position.id)))
}

/** The integration's latest import runs, newest first. */
export const latestRuns = (db: Db, accountId: string, integrationId: string, limit = 5) =>
  db
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.accountId, accountId), eq(importRuns.integrationId, integrationId)))
    .orderBy(desc(importRuns.createdAt), desc(importRuns.id))
    .limit(limit)

/** The account's requests created in [from, to], newest first, after a cursor of this same walk. */
export const latestRequests = (
  db: Db,
  accountId: string,
  page: { from?: Date; to?: Date; cursor?: string; limit: number }
) =>
  db
    .select()
    .from(requests)
    .where(
      and(
        eq(requests.accountId, accountId),
        page.from ? gte(requests.createdAt, page.from) : undefined,
        page.to ? lte(requests.createdAt, page.to) : undefined,
        beforeCursor(page.cursor, requests.createdAt, requests.id)
      )
    )
    .orderBy(desc(requests.createdAt), desc(requests.id))
    .limit(page.limit)
