import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { api } from './helpers'
import {
  collectionOf,
  idRoutes,
  isCabinet,
  listAll,
  listRoutes,
  loadDocument,
  operations,
  queryParams,
  withId,
} from './support/api-document'
import { insertRows, ownIdIn, setUpAccount, type Account } from './support/api-rows'
import { bodyFor } from './support/api-writes'
import { captureImportJobs } from './support/import-fixtures'

// Generated from /openapi.json: every list and every route with an {id}, for two accounts with rows
// of the same kinds. A new route is covered the moment it is mounted.

const doc = await loadDocument()
let owner: Account
let intruder: Account

beforeAll(async () => {
  owner = await setUpAccount('acc-iso-owner')
  intruder = await setUpAccount('acc-iso-intruder')
  const hourAgo = Date.now() - 3_600_000
  for (const op of listRoutes(doc)) {
    await insertRows(op.path, owner, [hourAgo, hourAgo + 1])
    await insertRows(op.path, intruder, [hourAgo])
  }
})
afterEach(() => vi.restoreAllMocks())

/** Every row of every table, so a test can tell that a request changed nothing at all. */
async function snapshot() {
  const { results: tables } = await env.DB.prepare(
    `SELECT name FROM sqlite_master WHERE type = 'table'
       AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'`
  ).all<{ name: string }>()
  const rows: Record<string, unknown[]> = {}
  for (const { name } of tables) {
    rows[name] = (await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()).results
  }
  return rows
}

/** The value of an `…Id` filter selecting this row: `row.sourceId`, or `row.stage.id`. */
const filterValue = (row: Record<string, any>, param: string) =>
  (typeof row[param] === 'string' ? row[param] : row[param.slice(0, -2)]?.id) as string | undefined

describe("lists never show another account's rows", () => {
  for (const op of listRoutes(doc)) {
    it(`GET ${op.path}`, async () => {
      const own = await listAll(owner.id, op.path)
      const seen = await listAll(intruder.id, op.path)
      expect(own.length).toBeGreaterThanOrEqual(2)
      expect(seen.length).toBeGreaterThanOrEqual(1)
      const ownIds = new Set(own.map((row) => row.id))
      expect(seen.filter((row) => ownIds.has(row.id))).toEqual([])
    })

    const idFilters = queryParams(op).filter((p) => p.name.endsWith('Id'))
    for (const param of idFilters) {
      it(`GET ${op.path}?${param.name}=<the owner's> shows another account nothing`, async () => {
        const own = await listAll(owner.id, op.path)
        const value = own.map((row) => filterValue(row, param.name)).find(Boolean)
        expect(value, `${param.name} of the owner's row`).toEqual(expect.any(String))
        expect(await listAll(owner.id, op.path, { [param.name]: value! })).not.toEqual([])
        expect(await listAll(intruder.id, op.path, { [param.name]: value! })).toEqual([])
      })
    }
  }
})

describe("another account's id answers 404 and changes nothing", () => {
  for (const op of idRoutes(doc)) {
    it(`${op.method} ${op.path}`, async () => {
      const { jobs } = captureImportJobs()
      const fetchSpy = vi.spyOn(globalThis, 'fetch')
      const list = collectionOf(op.path)
      const id = ownIdIn(list, owner) ?? (await listAll(owner.id, list))[0]?.id
      expect(id, `an owner's row in ${list}`).toEqual(expect.any(String))
      const before = await snapshot()

      const res = await api(intruder.id, withId(op.path, id!), {
        method: op.method,
        body: bodyFor(op, intruder),
      })
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(res.status).toBe(404)
      expect(body.error.code).toBe('not_found')
      expect(body.error.message).not.toMatch(/^No route/)
      expect(await snapshot()).toEqual(before)
      expect(fetchSpy).not.toHaveBeenCalled()
      expect(jobs).toEqual([])

      // The id is real: the owner reaches the same row.
      const ownRead = doc.paths[`${list}/{id}`]?.get
      if (ownRead) expect((await api(owner.id, `${list}/${id}`)).status).toBe(200)
      else expect((await listAll(owner.id, list)).map((row) => row.id)).toContain(id)
    })
  }

  it('covers every cabinet route that takes an id', () => {
    const withIds = operations(doc).filter((op) => isCabinet(op) && op.path.includes('{'))
    expect(withIds.length).toBeGreaterThan(0)
    expect(withIds.every((op) => op.path.includes('{id}'))).toBe(true)
  })
})
