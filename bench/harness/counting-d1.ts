/**
 * D1 statements a Worker issues, counted at the binding: every `run`/`all`/`first`/`raw` of a
 * prepared statement is one, and a `batch()` is as many as it holds. Rows returned are summed too,
 * so a lookup that reads more as the data grows shows up even when its statement count does not.
 */
export type D1Counts = { statements: number; batches: number; rowsReturned: number }

export const zeroCounts = (): D1Counts => ({ statements: 0, batches: 0, rowsReturned: 0 })

/** Adds to every tally given: a statement counts for its database and for the total at once. */
const add = (tallies: D1Counts[], key: keyof D1Counts, n: number) => {
  for (const t of tallies) t[key] += n
}

type AnyFn = (...args: unknown[]) => unknown

const rowsIn = (result: unknown): number => {
  if (Array.isArray(result)) return result.length
  const rows = (result as { results?: unknown[] } | null)?.results
  return Array.isArray(rows) ? rows.length : result == null ? 0 : 1
}

function watch(statement: D1PreparedStatement, counts: D1Counts[]): D1PreparedStatement {
  const target = statement as unknown as Record<string, AnyFn>
  for (const method of ['run', 'all', 'first', 'raw']) {
    const original = target[method]!.bind(statement)
    target[method] = async (...args: unknown[]) => {
      add(counts, 'statements', 1)
      const result = await original(...args)
      add(counts, 'rowsReturned', rowsIn(result))
      return result
    }
  }
  const bind = target.bind!.bind(statement)
  target.bind = (...args: unknown[]) => watch(bind(...args) as D1PreparedStatement, counts)
  return statement
}

/** The same database, with every statement it runs added to each of `counts`. */
export function countingD1(db: D1Database, ...counts: D1Counts[]): D1Database {
  return new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (query: string) => watch(target.prepare(query), counts)
      if (key === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          add(counts, 'statements', statements.length)
          add(counts, 'batches', 1)
          const results = await target.batch(statements)
          for (const result of results) add(counts, 'rowsReturned', rowsIn(result))
          return results
        }
      }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
