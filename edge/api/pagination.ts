import { z } from '@hono/zod-openapi'
import { and, asc, desc, eq, gt, gte, lt, lte, or, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { ApiError } from '../errors'

export const MAX_PAGE_SIZE = 200

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50).openapi({ example: 50 }),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
})

const dateTimeParam = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional()
    .openapi({ type: 'string', format: 'date-time', description })

/** `?createdFrom=&createdTo=` (ISO date-times, both inclusive): the date filter of the lists. */
export const createdRange = {
  createdFrom: dateTimeParam('Only rows created at or after this moment'),
  createdTo: dateTimeParam('Only rows created at or before this moment'),
}

/** The list query of a resource filterable by creation date. */
export const listQuery = pageQuery.extend(createdRange)

export type CreatedRange = { createdFrom?: Date; createdTo?: Date }

/** The SQL of a `createdRange` over a time column; undefined when neither end is given. */
export function within(column: SQLiteColumn, range: CreatedRange): SQL | undefined {
  return and(
    range.createdFrom ? gte(column, range.createdFrom) : undefined,
    range.createdTo ? lte(column, range.createdTo) : undefined
  )
}

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() })

type Position = { at: number; id: string }

/** Cursors are opaque base64url of the last row's (sort time, id): a keyset, so inserts never shift a walk. */
export function encodeCursor(position: Position): string {
  return btoa(JSON.stringify([position.at, position.id]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

export function decodeCursor(cursor: string): Position {
  try {
    const [at, id] = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as unknown[]
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string') return { at, id }
  } catch {
    // fall through to the error below
  }
  throw new ApiError('bad_request', 'cursor: not a cursor this API issued')
}

/** Oldest first for the API (a sync walks forward); the pages for a person show the newest first. */
export type Direction = 'asc' | 'desc'

/** The keyset condition "after this cursor" for a (time, id) order in `direction`. */
export function afterCursor(
  cursor: string | undefined,
  timeColumn: SQLiteColumn,
  idColumn: SQLiteColumn,
  direction: Direction = 'asc'
): SQL | undefined {
  if (!cursor) return undefined
  const { at, id } = decodeCursor(cursor)
  const time = new Date(at)
  const beyond = direction === 'asc' ? gt : lt
  return or(beyond(timeColumn, time), and(eq(timeColumn, time), beyond(idColumn, id)))
}

/** The ORDER BY that goes with `afterCursor`. */
export function keysetOrder(timeColumn: SQLiteColumn, idColumn: SQLiteColumn, direction: Direction = 'asc') {
  const by = direction === 'asc' ? asc : desc
  return [by(timeColumn), by(idColumn)] as const
}

/** Turns `limit + 1` fetched rows into a page and the cursor of its last row. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  position: (row: Row) => Position,
  present: (row: Row) => Item
) {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  const nextCursor = rows.length > limit && last ? encodeCursor(position(last)) : null
  return { data: page.map(present), nextCursor }
}
