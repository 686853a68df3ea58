import { env, exports } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { siteLimitKey } from '../../edge/collect/guards'
import type { WireInput as WirePayload } from '../../edge/collect/wire-schema'
import {
  BROWSER_UA,
  pageview,
  payload as anyPayload,
  seedSite,
  siteRows,
  touch,
  uuid,
} from './collect-fixtures'
import { BASE } from './helpers'

const SITE = 'site-clinic'

beforeAll(() => seedSite(SITE, 'key-clinic', 'clinic.ru'))
afterEach(() => vi.restoreAllMocks())

let ipNo = 0
/** Each test sends from its own address so the per-IP limit of one test never touches another. */
const freshIp = () => `198.51.100.${++ipNo}`

function send(body: BodyInit, headers: Record<string, string> = {}, ip = freshIp()) {
  return exports.default.fetch(`${BASE}/c`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      'user-agent': BROWSER_UA,
      origin: 'https://clinic.ru',
      'cf-connecting-ip': ip,
      ...headers,
    },
  })
}

const sendPayload = (p: WirePayload, headers?: Record<string, string>) =>
  send(JSON.stringify(p), headers)

type ErrorBody = { error: { code: string; message: string; requestId: string } }

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 8000) {
  const until = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > until) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('POST /c through the real ingest queue', () => {
  it('answers 204 with CORS for any origin, and the session reaches D1', async () => {
    const p = anyPayload()
    const res = await sendPayload(p, { origin: 'https://any.example' })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')

    const stored = await waitFor(
      async () => (await siteRows<{ id: string; source: string }>('sessions', SITE, 'id = ?', p.s))[0] ?? null,
      (row) => row !== null
    )
    expect(stored).toMatchObject({ id: p.s, source: 'yandex' })
  })

  it('stores a burst of concurrent sends from one session once each, retries included', async () => {
    const base = anyPayload({ u: 'https://spb.clinic.ru/prices' })
    const sends = Array.from({ length: 6 }, (_, i) => ({
      ...base,
      e: [pageview({ a: base.b + i })],
    }))
    const responses = await Promise.all([...sends, ...sends].map((p) => sendPayload(p)))
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(204))

    const count = async () => (await siteRows('events', SITE, 'session_id = ?', base.s)).length
    expect(await waitFor(count, (n) => n >= 6)).toBe(6)
    // Give any late duplicate a full batch window to show up.
    await new Promise((resolve) => setTimeout(resolve, 2500))
    expect(await count()).toBe(6)
    expect(await siteRows('sessions', SITE, 'id = ?', base.s)).toHaveLength(1)
  })
})

describe('POST /c rejects bad input with a 4xx JSON error and queues nothing', () => {
  const REJECTED_VISITOR = uuid()
  const payload = (over: Partial<WirePayload> = {}) => anyPayload({ v: REJECTED_VISITOR, ...over })
  const longUrl = `https://clinic.ru/${'a'.repeat(2000)}`
  type Case = { name: string; body: () => string; status: number; code: string; field?: RegExp }
  const cases: Case[] = [
    {
      name: 'malformed JSON',
      body: () => '{"k": "key-clinic", ',
      status: 400,
      code: 'bad_request',
      field: /^body: /,
    },
    { name: 'a JSON array', body: () => '[]', status: 400, code: 'bad_request' },
    {
      name: 'wrong types',
      body: () => JSON.stringify({ ...payload(), b: 'yesterday', e: 'pageview' }),
      status: 400,
      code: 'bad_request',
      field: /^b: /,
    },
    {
      name: 'too many events',
      body: () => JSON.stringify(payload({ e: Array.from({ length: 21 }, () => pageview()) })),
      status: 400,
      code: 'bad_request',
      field: /^e: /,
    },
    {
      name: 'no events',
      body: () => JSON.stringify(payload({ e: [] })),
      status: 400,
      code: 'bad_request',
      field: /^e: /,
    },
    {
      name: 'a URL over 2000 characters',
      body: () => JSON.stringify(payload({ c: touch({ l: longUrl }) })),
      status: 400,
      code: 'bad_request',
      field: /^c\.l: /,
    },
    {
      name: 'a string over 200 characters',
      body: () => JSON.stringify(payload({ c: touch({ c: 'x'.repeat(201) }) })),
      status: 400,
      code: 'bad_request',
      field: /^c\.c: /,
    },
    {
      name: 'a raw phone instead of a hash',
      body: () =>
        JSON.stringify(payload({ e: [pageview({ t: 'identify', h: ['p:79995551111'] })] })),
      status: 400,
      code: 'bad_request',
      field: /^e\.0\.h\.0: /,
    },
    {
      name: 'a session id that is not a UUID',
      body: () => JSON.stringify(payload({ s: "1' OR 1=1" })),
      status: 400,
      code: 'bad_request',
      field: /^s: /,
    },
    {
      name: 'a data: page URL',
      body: () => JSON.stringify(payload({ u: 'data:text/html,hi' })),
      status: 400,
      code: 'bad_request',
      field: /^u: /,
    },
    {
      name: 'an unknown site key',
      body: () => JSON.stringify(payload({ k: 'key-nobody' })),
      status: 404,
      code: 'not_found',
      field: /^k: /,
    },
    {
      name: 'a foreign host',
      body: () => JSON.stringify(payload({ u: 'https://evil.example/clinic.ru' })),
      status: 403,
      code: 'forbidden',
      field: /^u: /,
    },
    {
      name: 'a look-alike host',
      body: () => JSON.stringify(payload({ u: 'https://notclinic.ru/' })),
      status: 403,
      code: 'forbidden',
    },
    {
      name: 'a body over 16 KiB',
      body: () => JSON.stringify({ ...payload(), pad: 'x'.repeat(17 * 1024) }),
      status: 413,
      code: 'payload_too_large',
    },
  ]

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const queued = vi.spyOn(env.INGEST, 'send')
      const res = await send(c.body())
      expect(res.status).toBe(c.status)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      const body = (await res.json()) as ErrorBody
      expect(body.error.code).toBe(c.code)
      expect(body.error.requestId).toBeTruthy()
      if (c.field) expect(body.error.message).toMatch(c.field)
      expect(queued).not.toHaveBeenCalled()
    })
  }

  it('stops reading a streamed body without Content-Length once it passes 16 KiB', async () => {
    const queued = vi.spyOn(env.INGEST, 'send')
    const chunk = new TextEncoder().encode('x'.repeat(1024))
    let pulled = 0
    const stream = new ReadableStream({
      pull(controller) {
        pulled++
        if (pulled > 1000) controller.close()
        else controller.enqueue(chunk)
      },
    })
    const res = await send(stream)
    expect(res.status).toBe(413)
    expect(pulled).toBeLessThan(100)
    expect(queued).not.toHaveBeenCalled()
  })

  it('left no session in D1 for any rejected send, a batch window later', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2500))
    // In no shard, for no site.
    for (const shard of [env.VISITS_0, env.VISITS_1]) {
      const stored = await shard.prepare('SELECT count(*) AS n FROM sessions WHERE visitor_id = ?')
        .bind(REJECTED_VISITOR)
        .first<{ n: number }>()
      expect(stored?.n).toBe(0)
    }
  })
})

describe('POST /c guards', () => {
  const bots: [string, Record<string, string>][] = [
    ['a crawler', { 'user-agent': 'Mozilla/5.0 (compatible; YandexBot/3.0)' }],
    ['headless Chrome', { 'user-agent': BROWSER_UA.replace('Chrome/', 'HeadlessChrome/') }],
    ['a headless brand in Sec-CH-UA', { 'sec-ch-ua': '"HeadlessChrome";v="120"' }],
    ['no user agent', { 'user-agent': '' }],
  ]
  for (const [name, headers] of bots) {
    it(`answers ${name} 204 and drops the send`, async () => {
      const queued = vi.spyOn(env.INGEST, 'send')
      const res = await sendPayload(anyPayload(), headers)
      expect(res.status).toBe(204)
      expect(queued).not.toHaveBeenCalled()
    })
  }

  it('accepts a subdomain of the site and a www. page of it', async () => {
    const queued = vi.spyOn(env.INGEST, 'send')
    expect((await sendPayload(anyPayload({ u: 'https://spb.clinic.ru/' }))).status).toBe(204)
    expect((await sendPayload(anyPayload({ u: 'https://WWW.Clinic.ru/a' }))).status).toBe(204)
    expect(queued).toHaveBeenCalledTimes(2)
  })

  it('answers a CORS preflight from any origin', async () => {
    const res = await exports.default.fetch(`${BASE}/c`, {
      method: 'OPTIONS',
      headers: { origin: 'https://some.clinic.example', 'access-control-request-method': 'POST' },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it('limits one address to 120 requests a minute, junk included, and not its neighbours', async () => {
    await awayFromWindowEdge()
    const ip = freshIp()
    const junk = () => send('not json', {}, ip)
    const statuses = []
    for (let i = 0; i < 120; i++) statuses.push((await junk()).status)
    expect(statuses.every((s) => s === 400)).toBe(true)
    const limited = await junk()
    expect(limited.status).toBe(429)
    expect(((await limited.json()) as ErrorBody).error.code).toBe('rate_limited')
    expect((await send(JSON.stringify(anyPayload()), {}, freshIp())).status).toBe(204)
  }, 30_000) // waiting out a window edge and 120 sends can pass the default 5 s on a busy machine

  it('limits one site to 3000 requests a minute across all addresses', async () => {
    await awayFromWindowEdge()
    await seedSite('site-busy', 'key-busy', 'busy.ru')
    const busy = anyPayload({ k: 'key-busy', u: 'https://busy.ru/' })
    expect((await sendPayload(busy)).status).toBe(204)
    // The other 2999 sends of the minute, counted straight on the binding the route consults.
    const key = siteLimitKey('site-busy')
    for (let i = 0; i < 2999; i++) await env.COLLECT_SITE_LIMIT.limit({ key })
    const res = await sendPayload(busy)
    expect(res.status).toBe(429)
    expect((await sendPayload(anyPayload())).status).toBe(204)
  }, 30_000)
})

describe('the OpenAPI document', () => {
  it('describes POST /c with its text/plain body', async () => {
    const doc = (await (await exports.default.fetch(`${BASE}/openapi.json`)).json()) as {
      paths: Record<string, { post?: { requestBody: { content: Record<string, unknown> } } }>
    }
    expect(Object.keys(doc.paths['/c']?.post?.requestBody.content ?? {})).toEqual(['text/plain'])
  })
})

/** The local limiter counts in fixed windows; near a window's end the count resets mid-test. */
async function awayFromWindowEdge(periodMs = 60_000, marginMs = 8_000) {
  const left = periodMs - (Date.now() % periodMs)
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50))
}
