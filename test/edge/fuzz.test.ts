import { env, exports } from 'cloudflare:workers'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { BROWSER_UA, payload, seedSite } from './collect-fixtures'
import { BASE, cabinetToken } from './helpers'
import { send } from './settings-helpers'
import { workerFetch } from './support/worker-fetch'
import {
  anyValue,
  body,
  contentType,
  headerText,
  operationsOf,
  pathParam,
  queryString,
} from './support/fuzz-arbitraries'

// A fixed seed keeps `npm test` reproducible; a failure prints the counterexample and its path.
const SEED = 20_260_311
const RUNS_PER_ROUTE = 40
const RUNS_COLLECT = 400
const ACCOUNT = 'acc-fuzz'

const doc = await (await exports.default.fetch(`${BASE}/openapi.json`)).json()
const apiOperations = operationsOf(doc as never).filter((op) => op.path.startsWith('/api/v1/'))
const realIds: Record<string, string> = {}
let errorLog: MockInstance

type Answer = { status: number; contentType: string | null; text: string }

/** No 5xx, and every non-2xx answer is exactly the documented `{ error: { code, message, requestId } }`. */
function expectWellFormed(answer: Answer) {
  expect(answer.status, answer.text).toBeLessThan(500)
  if (answer.status < 400) return
  expect(answer.contentType).toMatch(/^application\/json/)
  const parsed = JSON.parse(answer.text)
  expect(Object.keys(parsed)).toEqual(['error'])
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'requestId'])
  expect(parsed.error.code).toMatch(/^[a-z_]+$/)
  expect(typeof parsed.error.message).toBe('string')
  expect(parsed.error.requestId).toMatch(/\S/)
}

async function fetchAnswer(url: string, init: RequestInit): Promise<Answer> {
  const res = await workerFetch(url, init)
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() }
}

beforeAll(async () => {
  // Nothing reaches Medods or a queue consumer: "check" sees an unreachable clinic, sends are dropped.
  vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Network connection lost'))
  vi.spyOn(env.IMPORTS, 'send').mockResolvedValue(undefined as never)
  vi.spyOn(env.IMPORTS, 'sendBatch').mockResolvedValue(undefined as never)
  vi.spyOn(env.INGEST, 'send').mockResolvedValue(undefined as never)
  errorLog = vi.spyOn(console, 'error')

  await seedSite('site-fuzz', 'key-fuzz', 'clinic.ru')
  const site = await send(ACCOUNT, 'POST', '/api/v1/sites', { name: 'Fuzz', domain: 'fuzz.ru' })
  const campaign = await send(ACCOUNT, 'POST', '/api/v1/campaigns', { name: 'Fuzz' })
  const source = await send(ACCOUNT, 'POST', '/api/v1/sources', { name: 'Fuzz' })
  const integration = await send(ACCOUNT, 'POST', '/api/v1/integrations', {
    uid: 'beta45',
    identity: 'fuzz-identity',
    secretKey: 'f'.repeat(64),
    sendRequests: true,
    defaultAttribution: { kind: 'campaign', campaignId: campaign.body.id },
  })
  Object.assign(realIds, {
    sites: site.body.id,
    campaigns: campaign.body.id,
    sources: source.body.id,
    integrations: integration.body.id,
  })
})

afterAll(() => vi.restoreAllMocks())

describe('fuzzing every /api/v1 operation of /openapi.json', () => {
  it('finds the cabinet API in the document', () => {
    expect(apiOperations.length).toBeGreaterThanOrEqual(10)
  })

  for (const op of apiOperations) {
    it(`${op.method} ${op.path}: no 5xx, errors in the documented shape`, async () => {
      const token = await cabinetToken(ACCOUNT)
      const resource = op.path.split('/')[3]!
      const property = fc.asyncProperty(
        pathParam(realIds[resource]),
        queryString(op.queryNames),
        body(op.bodyFields),
        contentType,
        fc.oneof(
          { weight: 8, arbitrary: fc.constant(`Bearer ${token}`) },
          { weight: 1, arbitrary: headerText },
          { weight: 1, arbitrary: headerText.map((t) => `Bearer ${t}`) }
        ),
        async (id, query, text, type, authorization) => {
          const path = op.path.replace('{id}', encodeURIComponent(id))
          const headers = new Headers({ authorization })
          if (type) headers.set('content-type', type)
          const withBody = op.method !== 'GET' && op.method !== 'DELETE' && text !== undefined
          const init = { method: op.method, headers, body: withBody ? text : undefined }
          expectWellFormed(await fetchAnswer(`${BASE}${path}?${query}`, init))
        }
      )
      await fc.assert(property, { seed: SEED, numRuns: RUNS_PER_ROUTE })
      expect(errorLog).not.toHaveBeenCalled()
    }, 60_000)
  }
})

const FIELDS = ['k', 'v', 's', 'b', 'u', 'f', 'c', 'e', 'f.t', 'f.k', 'f.l', 'c.a', 'e.0', 'e.0.i', 'e.0.t', 'e.0.a', 'e.0.u', 'e.0.h', 'e.0.z']

/** A valid send with one field (possibly nested) replaced or removed. */
const mutatedPayload = fc
  .record({ field: fc.constantFrom(...FIELDS), value: fc.option(anyValue), events: fc.integer({ min: 0, max: 25 }) })
  .map(({ field, value, events }) => {
    const p: any = payload({ k: 'key-fuzz' })
    p.e = Array.from({ length: events }, () => ({ ...p.e[0], i: crypto.randomUUID() }))
    const path = field.split('.')
    const parent = path.slice(0, -1).reduce((o, key) => o?.[key], p)
    if (parent && typeof parent === 'object') {
      if (value === null) delete parent[path.at(-1)!]
      else parent[path.at(-1)!] = value
    }
    return JSON.stringify(p)
  })

describe('fuzzing POST /c', () => {
  it('answers random, malformed and mutated sends with no 5xx, errors in the documented shape', async () => {
    const property = fc.asyncProperty(
      fc.oneof(mutatedPayload, body(FIELDS.slice(0, 8)).map((t) => t ?? ''), fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 16_000, max: 40_000 }).map((n) => 'x'.repeat(n))),
      contentType,
      fc.oneof(fc.constant(BROWSER_UA), headerText),
      fc.ipV4(),
      queryString([]),
      async (content, type, userAgent, ip, query) => {
        const headers = new Headers({ 'user-agent': userAgent, 'cf-connecting-ip': ip })
        if (type) headers.set('content-type', type)
        const init = { method: 'POST', headers, body: content }
        expectWellFormed(await fetchAnswer(`${BASE}/c?${query}`, init))
      }
    )
    await fc.assert(property, { seed: SEED, numRuns: RUNS_COLLECT })
    expect(errorLog).not.toHaveBeenCalled()
  }, 60_000)

  it('still accepts a valid send after the fuzzing (the property is not vacuous)', async () => {
    const headers = { 'user-agent': BROWSER_UA, 'cf-connecting-ip': '203.0.113.7' }
    const init = { method: 'POST', headers, body: JSON.stringify(payload({ k: 'key-fuzz' })) }
    expect((await fetchAnswer(`${BASE}/c`, init)).status).toBe(204)
  })
})
