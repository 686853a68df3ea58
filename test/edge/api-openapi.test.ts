import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../edge/app'
import { api, BASE, call } from './helpers'
import {
  collectionOf,
  isCabinet,
  listAll,
  listRoutes,
  loadDocument,
  operations,
  responseChecker,
  withId,
  type Operation,
} from './support/api-document'
import { insertRows, ownIdIn, setUpAccount, type Account } from './support/api-rows'
import { bodyFor, isWrite } from './support/api-writes'
import { captureImportJobs } from './support/import-fixtures'

const doc = await loadDocument()
const isAdmin = (op: Operation) => op.path.startsWith('/admin/')
const check = responseChecker(doc)
const ERROR_REF = { $ref: '#/components/schemas/Error' }
let owner: Account

beforeAll(async () => {
  owner = await setUpAccount('acc-openapi')
  const hourAgo = Date.now() - 3_600_000
  for (const op of listRoutes(doc)) await insertRows(op.path, owner, [hourAgo, hourAgo + 1])
})
afterEach(() => vi.restoreAllMocks())

/** Calls a documented route and checks the answer against the schema declared for its status. */
async function callChecked(op: Operation, path: string, account: Account) {
  const res = await api(account.id, path, { method: op.method, body: bodyFor(op, account) })
  const text = await res.text()
  const body = text ? JSON.parse(text) : undefined
  return { status: res.status, body, problems: check(op, res.status, body) }
}

/** The id a `{id}` route of `account` acts on: its own setup row, or the first row of the list. */
async function idFor(op: Operation, account: Account) {
  if (!op.path.includes('{id}')) return undefined
  const list = collectionOf(op.path)
  return ownIdIn(list, account) ?? (await listAll(account.id, list))[0]?.id
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document naming this Worker as its server and the bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([expect.objectContaining({ url: BASE })])
    expect(doc.components.securitySchemes).toEqual({
      cabinetToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      adminToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    })
  })

  it('declares every route the app serves, and only those (the HTML pages aside)', () => {
    // /app and /demo are server-rendered pages for people, not part of the JSON API.
    const served = createApp()
      .routes.filter((r) => r.method !== 'ALL' && !/^\/(app|demo)(\/|$)/.test(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    const declared = operations(doc).map((op) => `${op.method} ${op.path}`)
    expect(new Set(served)).toEqual(new Set(declared))
  })

  it('requires the bearer token on every /api/v1 route, the admin token on /admin, and none on others', () => {
    for (const op of operations(doc)) {
      const security = op.security ?? doc.security
      const expected = isCabinet(op) ? [{ cabinetToken: [] }] : isAdmin(op) ? [{ adminToken: [] }] : []
      expect(security, `${op.method} ${op.path}`).toEqual(expected)
    }
  })

  it('documents the error shape for 400, 401, 404 on every /api/v1 route, and any 4xx', () => {
    for (const op of operations(doc)) {
      const statuses = Object.keys(op.responses)
      const named = `${op.method} ${op.path}`
      const required = isCabinet(op) ? ['400', '401', '404'] : []
      expect(statuses, named).toEqual(expect.arrayContaining(required))
      for (const status of statuses.filter((s) => s.startsWith('4'))) {
        const schema = op.responses[status]!.content?.['application/json']?.schema
        expect(schema, `${op.method} ${op.path} ${status}`).toEqual(ERROR_REF)
      }
    }
  })

  it('every route taking a JSON body answers a text/plain one with the documented 415', async () => {
    // The admin routes take another token: test/edge/admin-shards.test.ts checks them.
    const withBody = operations(doc).filter((op) => op.requestBody?.content['application/json'] && !isAdmin(op))
    expect(withBody.length).toBeGreaterThan(0)
    for (const op of withBody) {
      const id = await idFor(op, owner)
      const res = await api(owner.id, id ? withId(op.path, id) : op.path, {
        method: op.method,
        headers: { 'content-type': 'text/plain' },
        body: bodyFor(op, owner) ?? '{}',
      })
      expect(res.status, `${op.method} ${op.path}`).toBe(415)
      expect(check(op, 415, await res.json())).toEqual([])
    }
  })

  it('every /api/v1 route answers 401 without a token, in the documented error shape', async () => {
    for (const op of operations(doc).filter(isCabinet)) {
      const res = await call(withId(op.path, 'any'), { method: op.method })
      const body = await res.json()
      expect(res.status, `${op.method} ${op.path}`).toBe(401)
      expect(check(op, 401, body)).toEqual([])
    }
  })
})

describe('real answers match the schemas the document declares', () => {
  it('every JSON GET route, with rows in every list', async () => {
    const json = (op: Operation) => op.responses['200']?.content?.['application/json']
    for (const op of operations(doc).filter((o) => o.method === 'GET' && json(o) && !isAdmin(o))) {
      const path = op.path.includes('{id}') ? withId(op.path, (await idFor(op, owner))!) : op.path
      const { status, body, problems } = await callChecked(op, path, owner)
      expect(status, `GET ${path}`).toBe(200)
      expect(problems).toEqual([])
      if (listRoutes(doc).includes(op)) expect(body.data.length, `GET ${path}`).toBeGreaterThan(0)
    }
  })

  it('every write route, with the answer of its success status', async () => {
    captureImportJobs()
    // The connection check calls Medods; here Medods is unreachable, which is a documented answer.
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'))
    const created: Record<string, string> = {}
    const order = (op: Operation) =>
      op.method === 'DELETE' ? 3 : op.path.includes('{id}') ? (op.method === 'PATCH' ? 1 : 2) : 0
    const writes = operations(doc).filter((op) => isCabinet(op) && isWrite(op))
    for (const op of writes.sort((a, b) => order(a) - order(b))) {
      // Deletes remove what the creates made, so the setup rows stay for the other writes.
      const id = op.method === 'DELETE' ? created[collectionOf(op.path)] : await idFor(op, owner)
      const path = op.path.includes('{id}') ? withId(op.path, id!) : op.path
      const { status, body, problems } = await callChecked(op, path, owner)
      const success = Object.keys(op.responses).find((s) => s.startsWith('2'))
      expect(`${op.method} ${path} → ${status}`).toBe(`${op.method} ${path} → ${success}`)
      expect(problems).toEqual([])
      if (op.method === 'POST' && !op.path.includes('{')) created[op.path] = body.id
    }
  })

  it('the check itself refuses a wrong type, a missing field and an undeclared field', async () => {
    const find = (method: string, path: string) =>
      operations(doc).find((o) => o.method === method && o.path === path)!
    const sites = find('GET', '/api/v1/sites')
    const saved = find('POST', '/api/v1/integrations')
    type Row = Record<string, unknown>
    const page = (await (await api(owner.id, '/api/v1/sites')).json()) as { data: Row[] }
    const site = page.data[0]!
    const { siteKey, ...withoutKey } = site
    expect(siteKey).toEqual(expect.any(String))
    expect(check(sites, 200, page)).toEqual([])
    expect(check(sites, 200, { ...page, data: [{ ...site, createdAt: 5 }] })).not.toEqual([])
    expect(check(sites, 200, { ...page, data: [withoutKey] })).not.toEqual([])
    expect(check(sites, 200, { ...page, data: [{ ...site, secret: 'x' }] })).not.toEqual([])
    expect(check(sites, 200, { ...page, extra: 1 })).not.toEqual([])
    const read = await api(owner.id, `/api/v1/integrations/${owner.integrationId}`)
    const integration = (await read.json()) as Row
    expect(check(saved, 201, { ...integration, install: null })).toEqual([])
    const leaking = { ...integration, install: null, secretKeyEnc: 'v1.x' }
    expect(check(saved, 201, leaking)).not.toEqual([])
    expect(check(sites, 418, page)).toEqual(['GET /api/v1/sites: status 418 is not documented'])
  })

  it('error answers: a foreign id, a bad limit', async () => {
    const stranger = await setUpAccount('acc-openapi-stranger')
    for (const op of operations(doc).filter((o) => isCabinet(o) && o.method === 'GET')) {
      const id = await idFor(op, owner)
      const path = id ? withId(op.path, id) : `${op.path}?limit=0`
      const { status, body, problems } = await callChecked(op, path, stranger)
      expect(status, `GET ${path}`).toBe(op.path.includes('{id}') ? 404 : 400)
      expect(problems).toEqual([])
      expect(body.error.requestId).toEqual(expect.any(String))
    }
  })
})
