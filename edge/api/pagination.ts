import { z } from '@hono/zod-openapi'
import { decodeCursor, encodeCursor, type Position } from '../db/keyset'

export const MAX_PAGE_SIZE = 200

const cursorParam = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const position = decodeCursor(value)
    if (!position) ctx.addIssue({ code: 'custom', message: 'not a cursor this API issued' })
    return position ?? z.NEVER
  })
  .optional()
  .openapi({ type: 'string', description: 'nextCursor of the previous page' })

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50).openapi({ example: 50 }),
  cursor: cursorParam,
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

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() })

/** A keyset page as the API answers it: the rows presented and the next cursor. */
export const presentPage = <Row, Item>(
  page: { rows: Row[]; next: Position | null },
  present: (row: Row) => Item
) => ({ data: page.rows.map(present), nextCursor: page.next && encodeCursor(page.next) })
