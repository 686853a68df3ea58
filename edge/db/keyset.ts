import { and, asc, desc, eq, gt, gte, lt, lte, or, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteSelect } from 'drizzle-orm/sqlite-core'

// Every list walks a keyset over (time, id), so inserts during a walk never shift it: no duplicates, no gaps.

/** The last row of a page: its sort time (ms) and id. */
export type Position = { at: number; id: string }

/** Oldest first for the API (a sync walks forward); the pages for a person show the newest first. */
export type Direction = 'asc' | 'desc'

/** One page of a list: how many rows, after which row, which way. */
export type Keyset = { limit: number; cursor?: Position; direction?: Direction }

export type CreatedRange = { createdFrom?: Date; createdTo?: Date }

/** Rows from `from` to `to`, both inclusive; undefined when neither end is given. */
export function within(column: SQLiteColumn, from?: Date, to?: Date): SQL | undefined {
  return and(from ? gte(column, from) : undefined, to ? lte(column, to) : undefined)
}

type ResultRow<Query extends SQLiteSelect> = Query['_']['result'][number]

/**
 * Runs `query` (a `$dynamic()` select) as one page of the keyset `key` under `filters`: fetches one row
 * more than the page to know whether another follows, and answers the position to continue from.
 */
export async function keysetPage<Query extends SQLiteSelect>(
  query: Query,
  key: { time: SQLiteColumn; id: SQLiteColumn; of: (row: ResultRow<Query>) => Position },
  filters: (SQL | undefined)[],
  page: Keyset
): Promise<{ rows: ResultRow<Query>[]; next: Position | null }> {
  const direction = page.direction ?? 'asc'
  const by = direction === 'asc' ? asc : desc
  const rows = (await query
    .where(and(...filters, after(page.cursor, key.time, key.id, direction)))
    .orderBy(by(key.time), by(key.id))
    .limit(page.limit + 1)) as ResultRow<Query>[]
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined
  return { rows: rows.slice(0, page.limit), next: last ? key.of(last) : null }
}

function after(
  position: Position | undefined,
  time: SQLiteColumn,
  id: SQLiteColumn,
  direction: Direction
) {
  if (!position) return undefined
  const at = new Date(position.at)
  const beyond = direction === 'asc' ? gt : lt
  return or(beyond(time, at), and(eq(time, at), beyond(id, position.id)))
}

/** A position as the opaque base64url token the API and the pages hand out. */
export function encodeCursor(position: Position): string {
  return btoa(JSON.stringify([position.at, position.id]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** The position of a token `encodeCursor` made; undefined for anything else. */
export function decodeCursor(cursor: string): Position | undefined {
  try {
    const [at, id] = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as unknown[]
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string') return { at, id }
  } catch {
    // not base64 or not JSON: not one of ours
  }
  return undefined
}

/** The key of a table listed by creation time. */
export const byCreation = (table: { createdAt: SQLiteColumn; id: SQLiteColumn }) => ({
  time: table.createdAt,
  id: table.id,
  of: (row: { createdAt: Date; id: string }) => ({ at: row.createdAt.getTime(), id: row.id }),
})
