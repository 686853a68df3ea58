import { describe, expect, it } from 'vitest'
import { MAX_PAGE_SIZE } from '../../edge/api/pagination'
import { send } from './settings-helpers'
import {
  dateRangeOf,
  listAll,
  listRoutes,
  loadDocument,
  queryParams,
  type Operation,
} from './support/api-document'
import { insertRows, setUpAccount } from './support/api-rows'

// Generated from /openapi.json: every list of the cabinet API, each walked in a fresh account.

const doc = await loadDocument()
const HOUR = 3_600_000
const DAY = 24 * HOUR
let accountNo = 0
const freshAccount = () => setUpAccount(`acc-page-${++accountNo}`)

type Page = { data: { id: string }[]; nextCursor: string | null }

async function page(account: string, path: string, query: Record<string, string>) {
  const reply = await send<Page>(account, 'GET', `${path}?${new URLSearchParams(query)}`)
  expect(reply.status, reply.text).toBe(200)
  return reply.body
}

/** A value the parameter's documented schema refuses, or undefined when any string passes. */
function invalidValue(schema: Record<string, any>): string | undefined {
  if (schema.format === 'date-time') return '2026-13-45'
  if (schema.enum) return 'not-one-of-them'
  if (schema.type === 'integer') return 'ten'
  if (schema.maxLength) return 'x'.repeat(schema.maxLength + 1)
  return undefined
}

describe('every list walks by keyset cursor', () => {
  for (const op of listRoutes(doc)) {
    it(`GET ${op.path}: no duplicates and no gaps while rows are added between pages`, async () => {
      const account = await freshAccount()
      const t0 = Date.now() - HOUR
      // Ties on the sort time: the id breaks them, so pages never split a tie ambiguously.
      await insertRows(op.path, account, [t0, t0, t0, t0 + 1, t0 + 2, t0 + 2, t0 + 3])
      const before = (await listAll(account.id, op.path)).map((row) => row.id)
      expect(before.length).toBeGreaterThanOrEqual(7)

      const seen: string[] = []
      const later: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const body = await page(account.id, op.path, { limit: '3', ...(cursor ? { cursor } : {}) })
        seen.push(...body.data.map((row) => row.id))
        cursor = body.nextCursor
        if (cursor) expect(body.data).toHaveLength(3)
        if (cursor && ++pages <= 3) {
          // Concurrent writes: one before every cursor, one tied with a walked row, one after all.
          await insertRows(op.path, account, [t0 - DAY, t0])
          later.push(...(await insertRows(op.path, account, [Date.now() + HOUR + pages])))
        }
      } while (cursor && pages < 50)

      expect(cursor).toBeNull()
      expect(seen.length).toBe(new Set(seen).size)
      expect(seen).toEqual(expect.arrayContaining(before))
      expect(seen).toEqual(expect.arrayContaining(later))
      expect(seen.filter((id) => before.includes(id))).toEqual(before)
    })

    it(`GET ${op.path}: limit is 1–${MAX_PAGE_SIZE}, a foreign cursor is refused`, async () => {
      const { id } = await freshAccount()
      for (const limit of ['0', String(MAX_PAGE_SIZE + 1), 'ten']) {
        const reply = await send(id, 'GET', `${op.path}?limit=${limit}`)
        expect(reply.status).toBe(400)
        expect(reply.body.error.message).toMatch(/^limit: /)
      }
      expect((await send(id, 'GET', `${op.path}?limit=${MAX_PAGE_SIZE}`)).status).toBe(200)
      const bad = await send(id, 'GET', `${op.path}?cursor=not-a-cursor`)
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toMatch(/^cursor: /)
    })

    it(`GET ${op.path}: an invalid filter answers 400 naming the field`, async () => {
      const { id } = await freshAccount()
      const checked = queryParams(op).filter((p) => invalidValue(p.schema) !== undefined)
      expect(checked.map((p) => p.name)).toEqual(expect.arrayContaining(['limit']))
      for (const param of checked) {
        const query = new URLSearchParams({ [param.name]: invalidValue(param.schema)! })
        const reply = await send(id, 'GET', `${op.path}?${query}`)
        expect(reply.status, `${param.name}=${query.get(param.name)}`).toBe(400)
        expect(reply.body.error.message).toMatch(new RegExp(`^${param.name}: `))
      }
    })

    it(`GET ${op.path}: filterable by date, both ends inclusive`, async () => {
      const range = dateRangeOf(op)
      expect(range, 'a From/To pair of date-time filters').toBeDefined()
      const account = await freshAccount()
      const t = Date.now() - 10 * DAY
      const [d1, d2, d3] = await insertRows(op.path, account, [t, t + DAY, t + 2 * DAY])
      const iso = (ms: number) => new Date(ms).toISOString()
      const ids = async (query: Record<string, string>) =>
        (await listAll(account.id, op.path, query)).map((row) => row.id)

      const { from, to } = range!
      expect(await ids({ [from]: iso(t + DAY), [to]: iso(t + 2 * DAY) })).toEqual([d2, d3])
      expect(await ids({ [to]: iso(t) })).toEqual([d1])
      expect(await ids({ [to]: iso(t - 1) })).toEqual([])
      const fromSecond = await ids({ [from]: iso(t + 1) })
      expect(fromSecond.slice(0, 2)).toEqual([d2, d3])
      expect(fromSecond).not.toContain(d1)
    })
  }

  it('there are lists to check', () => {
    expect(listRoutes(doc).map((op: Operation) => op.path)).toEqual(
      expect.arrayContaining(['/api/v1/sites', '/api/v1/requests', '/api/v1/import-runs'])
    )
  })
})
