import { getTableColumns, is, SQL } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'

/** D1 refuses a statement with 100 or more bound parameters. */
export const MAX_BOUND_PARAMS = 99

/** Splits rows or values into groups small enough for one statement each. */
export const chunk = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size)
  )

/**
 * Rows of `table` one multi-row INSERT may carry. Drizzle binds, per row, each value given and each
 * default computed in JS; a column left to its SQL default or to NULL binds nothing. `rows` are the rows
 * about to be written (all columns count when they are not given).
 */
export function rowsPerStatement(table: SQLiteTable, rows?: object[]): number {
  const given = rows && new Set(rows.flatMap((row) => Object.keys(row)))
  const bound = Object.entries(getTableColumns(table)).filter(
    ([key, column]) =>
      !given ||
      given.has(key) ||
      column.defaultFn !== undefined ||
      column.onUpdateFn !== undefined ||
      (column.default !== undefined && !is(column.default, SQL))
  )
  return Math.floor(MAX_BOUND_PARAMS / Math.max(1, bound.length))
}

/** Ids one `IN (…)` list may carry beside `reserved` other parameters of the same statement. */
export const idsPerStatement = (reserved = 0) => MAX_BOUND_PARAMS - reserved

/** Reads by an `IN (…)` list too long for one statement: `read` per part, the rows joined in order. */
export async function readInParts<Id, Row>(
  ids: Id[],
  reserved: number,
  read: (part: Id[]) => Promise<Row[]>
): Promise<Row[]> {
  const rows: Row[] = []
  for (const part of chunk(ids, idsPerStatement(reserved))) rows.push(...(await read(part)))
  return rows
}
