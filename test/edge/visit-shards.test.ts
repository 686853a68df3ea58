import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { consumeIngestBatch } from '../../edge/collect/consumer'
import { purgeExpiredSessions } from '../../edge/collect/retention'
import type { IngestMessage, WireInput as WirePayload } from '../../edge/collect/wire-schema'
import { createDb } from '../../edge/db/client'
import { closedShards, placementsOf, readScope, reportShards, shardForNewSite, visitShards } from '../../edge/db/shards'
import { findSessionsByIds } from '../../edge/db/visits'
import worker from '../../edge/index'
import { createMedodsSandbox, DEMO_KEY } from '../../sandbox/medods'
import { moscowParts } from '../../sandbox/medods/data'
import type { WireEvent, WireTouch } from '../../widget/src/wire'
import { pageview, payload, seedSite, siteRows, T0, touch, uuid } from './collect-fixtures'
import { BASE, cabinetToken, call, cookieFor } from './helpers'
import { send } from './settings-helpers'
import { importAll, importDeps, sha256Hex, visit } from './support/import-fixtures'
import { SANDBOX_UID } from './support/medods-sandbox'

// Visits live in shards (VISITS_0, VISITS_1): each site's in the one its `shard` names, under its visits
// key. These tests run the real consumer, importer, retention and API against both shards, and against a
// deployment that binds only VISITS_0.

const HOUR = 3_600_000
const MINUTE = 60_000
const DAY = 86_400_000
const TABLES = ['sessions', 'events', 'contact_hashes', 'booking_drawers'] as const
const SHARDS = () => [env.VISITS_0, env.VISITS_1]

/** The same Worker deployed with only the first shard bound. A new object: `visitShards` caches per env. */
const oneShard = () => ({ ...env, VISITS_1: undefined }) as unknown as Env
/** The Worker's bindings with CLOSED_VISIT_SHARDS set as given. */
const closing = (closed: string, on: Env = env) => ({ ...on, CLOSED_VISIT_SHARDS: closed }) as Env

afterEach(() => vi.restoreAllMocks())

/** Runs the real ingest consumer on these sends, as the queue delivers them, with the given bindings. */
async function ingest(sends: { siteId: string; payload: WirePayload }[], on: Env = env, receivedAt = T0 + HOUR) {
  const batch = createMessageBatch(
    'ingest',
    sends.map(({ siteId, payload: p }, n) => {
      const body: IngestMessage = { siteId, receivedAt, payload: p }
      return { id: `s${n}`, timestamp: new Date(receivedAt), attempts: 1, body }
    })
  )
  await consumeIngestBatch(batch, on)
  return getQueueResult(batch, createExecutionContext())
}

/** Calls the Worker's fetch handler as `account` with the given bindings (a deployment of its own). */
async function sendAs(on: Env, account: string, method: string, path: string, body?: unknown) {
  const headers = { authorization: `Bearer ${await cabinetToken(account)}`, 'content-type': 'application/json' }
  const init: RequestInit = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), on, createExecutionContext())
  const text = await res.text()
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined }
}

const placementOf = async (siteId: string) => (await placementsOf(createDb(env.DB), [siteId])).get(siteId)!

async function newSite(on: Env, account: string, domain = 'clinic.ru') {
  const site = await sendAs(on, account, 'POST', '/api/v1/sites', { name: 'Клиника', domain })
  expect(site.status, site.text).toBe(201)
  return site.body.id as string
}

/** How many rows of the table a visits key has in one shard D1. */
async function rowsIn(d1: D1Database, table: (typeof TABLES)[number], key: number) {
  const row = await d1.prepare(`SELECT count(*) AS n FROM ${table} WHERE site = ?`).bind(key).first<{ n: number }>()
  return row!.n
}

/** The site's row counts in every table of every shard, by shard number. */
async function everywhere(key: number) {
  const counts: Record<string, number>[] = []
  for (const d1 of SHARDS()) {
    const byTable: Record<string, number> = {}
    for (const table of TABLES) byTable[table] = await rowsIn(d1, table, key)
    counts.push(byTable)
  }
  return counts
}

/** In which shards (by number) a session id is stored, for any site. */
async function shardsHolding(sessionId: string) {
  const found: number[] = []
  for (const [n, d1] of SHARDS().entries()) {
    const row = await d1.prepare('SELECT count(*) AS n FROM sessions WHERE id = ?').bind(sessionId).first<{ n: number }>()
    if (row!.n > 0) found.push(n)
  }
  return found
}

const sizes = async () =>
  (await reportShards(createDb(env.DB), visitShards(env), new Set())).map((r) => r.sizeBytes)

let fillerNo = 0
/** Writes visits to shard 0 until its file is larger than shard 1's. */
async function fillShardZero() {
  const siteId = `site-filler-${++fillerNo}`
  await seedSite(siteId, `key-filler-${fillerNo}`, 'filler.ru', 0)
  for (let round = 0; round < 20; round++) {
    const [zero, one] = await sizes()
    if (zero! > one!) return
    const sends = Array.from({ length: 50 }, () => ({
      siteId,
      payload: payload({ e: Array.from({ length: 20 }, (_, i) => pageview({ a: T0 + i })) }),
    }))
    expect((await ingest(sends, env, Date.now())).retryMessages).toEqual([])
  }
  throw new Error('shard 0 did not grow')
}

/** An account with a site on the given shard, campaigns and a Medods integration of its own sandbox. */
async function clinicOn(account: string, shard: 0 | 1, on: Env = env) {
  // Closing the other shard is how an operator steers new sites; the API does the placing.
  const siteId = await newSite(visitShards(on).length > 1 ? closing(String(1 - shard), on) : on, account)
  expect((await placementOf(siteId)).shard).toBe(shard)
  const implants = await send(account, 'POST', '/api/v1/campaigns', {
    name: 'Импланты (Директ)',
    utmSource: 'yandex',
    utmCampaign: 'implants',
  })
  const fallback = await send(account, 'POST', '/api/v1/campaigns', { name: 'Без сессии' })
  const integration = await send(account, 'POST', '/api/v1/integrations', {
    uid: SANDBOX_UID,
    identity: DEMO_KEY.identity,
    secretKey: DEMO_KEY.secretKey,
    sendRequests: true,
    bookingWindowRung: 'on',
    defaultAttribution: { kind: 'campaign', campaignId: fallback.body.id },
  })
  expect(integration.status, integration.text).toBe(201)
  let clock = Date.now()
  const sandbox = createMedodsSandbox({ now: () => clock, counts: { clients: 0, appointments: 0 } })
  const tomorrow = moscowParts(Date.now() + 24 * HOUR).date
  const booked: Record<string, number> = {}
  /** A booking made in Medods at `at`, for tomorrow's `slot`. */
  const book = (name: string, at: number, slot: string, phone: string, comment = '') => {
    clock = at
    const result = sandbox.book({ doctorId: 160, slot: `${tomorrow} ${slot}`, surname: 'Тестова', name, phone, comment })
    clock = Date.now()
    if (!('appointment' in result) || !result.appointment) throw new Error(JSON.stringify(result))
    booked[name] = result.appointment.id
  }
  const requests = async () => {
    const page = await send(account, 'GET', `/api/v1/requests?integrationId=${integration.body.id}&limit=200`)
    expect(page.status).toBe(200)
    return page.body.data as {
      medodsAppointmentId: number
      matchMethod: string
      candidates: number
      sessionId: string | null
      campaignId: string | null
    }[]
  }
  const request = async (name: string) => (await requests()).find((r) => r.medodsAppointmentId === booked[name])!
  return {
    siteId,
    integrationId: integration.body.id as string,
    implantsId: implants.body.id as string,
    fallbackId: fallback.body.id as string,
    sandbox,
    book,
    booked,
    requests,
    request,
  }
}
type Clinic = Awaited<ReturnType<typeof clinicOn>>

/**
 * The three rungs' visits on the clinic's site, at the same times for every clinic: a session a booking
 * will carry, one that leaves `phone`, one that opens the booking widget. Then the bookings.
 */
async function ladder(clinic: Clinic, base: number, phone: string, on: Env = env) {
  const sessions = {
    carried: await visit(clinic.siteId, base - HOUR, [], {}, on),
    contact: await visit(
      clinic.siteId,
      base + HOUR,
      [{ t: 'identify', a: base + HOUR + 1000, h: [`p:${await sha256Hex(phone)}`] }],
      { t: 'organic', s: 'google', m: 'organic', c: '', k: {} },
      on
    ),
    window: await visit(
      clinic.siteId,
      base + 4 * HOUR - 10 * MINUTE,
      [{ t: 'booking_open', a: base + 4 * HOUR - 10 * MINUTE }],
      {},
      on
    ),
  }
  clinic.book('carried', base, '09:00', '79990000301', `Запись с сайта, сессия ${sessions.carried}`)
  clinic.book('contact', base + 2 * HOUR, '09:30', phone)
  clinic.book('window', base + 4 * HOUR, '10:00', '79990000303')
  return sessions
}

async function expectLadderMatched(clinic: Clinic, sessions: Awaited<ReturnType<typeof ladder>>) {
  expect(await clinic.request('carried')).toMatchObject({
    matchMethod: 'session_id',
    candidates: 1,
    sessionId: sessions.carried,
    campaignId: clinic.implantsId,
  })
  expect(await clinic.request('contact')).toMatchObject({ matchMethod: 'contact', candidates: 1, sessionId: sessions.contact })
  expect(await clinic.request('window')).toMatchObject({ matchMethod: 'booking_window', candidates: 1, sessionId: sessions.window })
}

describe('POST /api/v1/sites places a new site on the least-filled open shard', () => {
  it('by size, then by the number of sites, then by number', async () => {
    // Nothing collected yet: both shards hold only their schema.
    const [zero, one] = await sizes()
    expect(zero).toBe(one)
    await seedSite('site-count-a', 'key-count-a', 'a.ru', 0)
    await seedSite('site-count-b', 'key-count-b', 'b.ru', 0)
    const first = await newSite(env, 'acc-place-count')
    expect((await placementOf(first)).shard).toBe(1) // 2 sites on shard 0, none on 1
    await seedSite('site-count-c', 'key-count-c', 'c.ru', 1)
    const second = await newSite(env, 'acc-place-count')
    expect((await placementOf(second)).shard).toBe(0) // 2 and 2: the lower number
    const third = await newSite(env, 'acc-place-count')
    expect((await placementOf(third)).shard).toBe(1) // 3 and 2
  })

  it('by size first, whatever the site counts', async () => {
    await fillShardZero()
    for (let i = 0; i < 4; i++) await seedSite(`site-many-${i}`, `key-many-${i}`, 'many.ru', 1)
    const reports = await reportShards(createDb(env.DB), visitShards(env), new Set())
    expect(reports[0]!.sizeBytes).toBeGreaterThan(reports[1]!.sizeBytes)
    expect(reports[1]!.sites).toBeGreaterThan(reports[0]!.sites)
    // Shard 1 has more sites; it still takes the next ones, being smaller.
    for (let i = 0; i < 3; i++) {
      const site = await newSite(env, 'acc-place-size')
      expect((await placementOf(site)).shard).toBe(1)
    }
  })

  it('never on a shard closed by CLOSED_VISIT_SHARDS, and on the least-filled if every one is closed', async () => {
    const [zero, one] = await sizes()
    expect(zero).toBeGreaterThan(one!)
    expect(closedShards(' 1, x,')).toEqual(new Set([1]))
    const closedOne = await newSite(closing('1'), 'acc-place-closed')
    expect((await placementOf(closedOne)).shard).toBe(0)
    const closedZero = await newSite(closing('0'), 'acc-place-closed')
    expect((await placementOf(closedZero)).shard).toBe(1)

    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const allClosed = await newSite(closing('0,1'), 'acc-place-closed')
    expect((await placementOf(allClosed)).shard).toBe(1)
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)).msg)).toContain(
      'every visits shard is closed; add one (README)'
    )
  })
})

describe('two sites on two shards', () => {
  const base = Date.now() - 10 * HOUR
  // Both clinics' contacts leave the same phone at the same time, and both open the widget at the same
  // time: a lookup that strayed into the other shard would find two candidates, not one.
  const phone = '79990000302'
  let a: Clinic
  let b: Clinic
  const sessions: Record<'a' | 'b', Awaited<ReturnType<typeof ladder>>> = {} as never

  beforeAll(async () => {
    a = await clinicOn('acc-shard-a', 0)
    b = await clinicOn('acc-shard-b', 1)
    sessions.a = await ladder(a, base, phone)
    sessions.b = await ladder(b, base, phone)
    // A booking at clinic A that carries clinic B's session id: not A's to claim.
    a.book('crossed', base + 6 * HOUR, '11:00', '79990000304', `Запись с сайта, сессия ${sessions.b.carried}`)
    await importAll(importDeps(a.sandbox), a.integrationId)
    await importAll(importDeps(b.sandbox), b.integrationId)
  })

  it('collects each site into its own shard only', async () => {
    for (const [clinic, own, other] of [
      [a, 0, 1],
      [b, 1, 0],
    ] as const) {
      const { visitsKey } = await placementOf(clinic.siteId)
      const counts = await everywhere(visitsKey)
      expect(counts[own]).toEqual({ sessions: 3, events: 5, contact_hashes: 1, booking_drawers: 1 })
      expect(counts[other]).toEqual({ sessions: 0, events: 0, contact_hashes: 0, booking_drawers: 0 })
      const mine = clinic === a ? sessions.a : sessions.b
      for (const id of Object.values(mine)) expect(await shardsHolding(id)).toEqual([own])
    }
  })

  it("matches each clinic's bookings to its own sessions, rung by rung", async () => {
    await expectLadderMatched(a, sessions.a)
    await expectLadderMatched(b, sessions.b)
  })

  it("never matches a booking to a session of another shard's site", async () => {
    expect(await a.request('crossed')).toMatchObject({
      matchMethod: 'default',
      candidates: 0,
      sessionId: null,
      campaignId: a.fallbackId,
    })
    expect((await b.requests()).map((r) => r.sessionId).sort()).toEqual(Object.values(sessions.b).sort())
  })

  it('splits one queue batch by shard: one D1 batch a shard, each site in its own', async () => {
    await seedSite('site-split-0', 'key-split-0', 'split0.ru', 0)
    await seedSite('site-split-1', 'key-split-1', 'split1.ru', 1)
    const sends = Array.from({ length: 10 }, (_, i) => ({
      siteId: `site-split-${i % 2}`,
      payload: payload({ e: [pageview(), pageview({ t: 'booking_open', n: 'iframe' })] }),
    }))
    const batches = [vi.spyOn(env.VISITS_0, 'batch'), vi.spyOn(env.VISITS_1, 'batch')]
    const main = vi.spyOn(env.DB, 'batch')
    const result = await ingest(sends)
    expect(result.explicitAcks.sort()).toEqual(sends.map((_, n) => `s${n}`).sort())
    expect(batches.map((spy) => spy.mock.calls.length)).toEqual([1, 1])
    expect(main).not.toHaveBeenCalled()
    for (const [n, sent] of sends.entries()) {
      expect(await shardsHolding(sent.payload.s)).toEqual([n % 2])
      expect(await siteRows('events', sent.siteId, 'session_id = ?', sent.payload.s)).toHaveLength(2)
    }
  })
})

describe('the visits page over two shards', () => {
  const visitIds = (html: string) => [...html.matchAll(/<tr data-session="([^"]+)">/g)].map((m) => m[1]!)
  const page = async (account: string, path: string) => {
    const res = await call(path, { headers: { cookie: await cookieFor(account) }, redirect: 'manual' })
    expect(res.status).toBe(200)
    return res.text()
  }

  it('walks the sites of both shards newest first, 50 a page, with no row twice or missed', async () => {
    const account = 'acc-shard-pages'
    const sites = [await newSite(closing('1'), account, 'zero.ru'), await newSite(closing('0'), account, 'one.ru')]
    expect((await Promise.all(sites.map(placementOf))).map((p) => p.shard)).toEqual([0, 1])
    const start = Date.now() - HOUR
    const made: string[] = []
    const yandex: string[] = []
    // 51 yandex visits on shard 1, with 4 google ones on shard 0 between them.
    for (let i = 0; i < 55; i++) {
      const google = i % 15 === 7
      const at = start + i * 1000
      const id = google
        ? await visit(sites[0]!, at, [], { s: 'google', m: 'organic', c: '', k: {} })
        : await visit(sites[1]!, at, [])
      made.push(id)
      if (!google) yandex.push(id)
    }
    expect([made.length, yandex.length]).toEqual([55, 51])
    for (const [query, expected] of [
      ['', made],
      // Only shard 1 has any: its page alone must still say that another follows.
      ['?source=yandex', yandex],
    ] as const) {
      const first = await page(account, `/app/visits${query}`)
      expect(visitIds(first)).toEqual(expected.slice(-50).reverse())
      const next = /<a href="([^"]+)" rel="next">/.exec(first)?.[1]?.replace(/&amp;/g, '&')
      expect(next, query).toBeDefined()
      const second = await page(account, next!)
      expect(visitIds(second)).toEqual(expected.slice(0, -50).reverse())
      expect(second).not.toContain('rel="next"')
    }
  })
})

describe('a deployment with one shard (VISITS_0 only)', () => {
  it('sees one shard, and places every new site on it', async () => {
    const on = oneShard()
    expect(visitShards(on)).toHaveLength(1)
    expect(visitShards(env)).toHaveLength(2)
    // Where two shards are bound, shard 1 is the smaller and would get the site.
    await fillShardZero()
    expect(await shardForNewSite(createDb(env.DB), visitShards(env), new Set())).toBe(1)
    const site = await newSite(on, 'acc-one-shard-place')
    expect(await placementOf(site)).toMatchObject({ shard: 0, moveTo: null })
  })

  it('collects, imports and purges as with two', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const on = oneShard()
    const clinic = await clinicOn('acc-one-shard', 0, on)
    const base = Date.now() - 10 * HOUR
    const sessions = await ladder(clinic, base, '79990000305', on)
    const { visitsKey } = await placementOf(clinic.siteId)
    expect((await everywhere(visitsKey))[0]).toEqual({ sessions: 3, events: 5, contact_hashes: 1, booking_drawers: 1 })

    await importAll(importDeps(clinic.sandbox, { env: on }), clinic.integrationId)
    await expectLadderMatched(clinic, sessions)

    const old = await visit(clinic.siteId, Date.now() - 200 * DAY, [{ t: 'booking_open', a: Date.now() - 200 * DAY }], {}, on)
    expect(await shardsHolding(old)).toEqual([0])
    const purged = await purgeExpiredSessions(visitShards(on), 180, new Date())
    expect(purged).toBeGreaterThanOrEqual(1)
    expect(await shardsHolding(old)).toEqual([])
    const left = (await siteRows<{ id: string }>('sessions', clinic.siteId)).map((s) => s.id).sort()
    expect(left).toEqual(Object.values(sessions).sort())
  })
})

describe('DELETE /api/v1/sites/:id', () => {
  /** A visit with events, a contact and a drawer: a row in every visits table. */
  const fullVisit = (siteId: string) => {
    const at = Date.now() - HOUR
    const open: WireEvent = { i: uuid(), t: 'booking_open', n: 'iframe', a: at + 2000 }
    return visit(siteId, at, [
      { t: 'identify', a: at + 1000, h: [`p:${'5'.repeat(64)}`] },
      open, // its own id, which the close names
      { t: 'booking_close', o: open.i, d: 5000, a: at + 7000 },
    ])
  }
  const full = { sessions: 1, events: 4, contact_hashes: 1, booking_drawers: 1 }
  const none = { sessions: 0, events: 0, contact_hashes: 0, booking_drawers: 0 }

  it("removes the site's visits from its shard, and no other site's", async () => {
    const account = 'acc-shard-delete'
    const gone = await newSite(closing('0'), account, 'gone.ru')
    const kept = await newSite(closing('0'), account, 'kept.ru')
    await fullVisit(gone)
    await fullVisit(kept)
    const goneKey = (await placementOf(gone)).visitsKey
    const keptKey = (await placementOf(kept)).visitsKey
    expect(await everywhere(goneKey)).toEqual([none, full])

    const res = await send(account, 'DELETE', `/api/v1/sites/${gone}`)
    expect(res.status, res.text).toBe(204)
    expect(await everywhere(goneKey)).toEqual([none, none])
    expect(await everywhere(keptKey)).toEqual([none, full])
    expect((await send(account, 'GET', `/api/v1/sites/${gone}`)).status).toBe(404)
  })

  it('removes them from both shards of a site being moved', async () => {
    const account = 'acc-shard-delete-move'
    const moving = await newSite(closing('1'), account, 'moving.ru')
    // The copy phase of a move to shard 1 (edge/db/shard-moves.ts): the collector writes to both.
    await env.DB.prepare('UPDATE sites SET move_to = 1 WHERE id = ?').bind(moving).run()
    await fullVisit(moving)
    const key = (await placementOf(moving)).visitsKey
    expect(await everywhere(key)).toEqual([full, full])
    expect((await send(account, 'DELETE', `/api/v1/sites/${moving}`)).status).toBe(204)
    expect(await everywhere(key)).toEqual([none, none])
  })

  it("answers 404 for another account's site and keeps its visits", async () => {
    const site = await newSite(env, 'acc-shard-owner', 'owned.ru')
    await fullVisit(site)
    const key = (await placementOf(site)).visitsKey
    const before = await everywhere(key)
    expect((await send('acc-shard-stranger', 'DELETE', `/api/v1/sites/${site}`)).status).toBe(404)
    expect(await everywhere(key)).toEqual(before)
  })
})

describe('how a shard stores a session', () => {
  const SITE = 'site-encoding'
  const LANDING = 'https://clinic.ru/implants?utm_source=yandex'
  const OTHER_PAGE = 'https://clinic.ru/prices?utm_source=google'
  beforeAll(() => seedSite(SITE, 'key-encoding', 'clinic.ru', 1))

  const yandex = touch({ l: LANDING, a: T0 })
  const direct = (a: number) =>
    touch({ t: 'direct', s: '(direct)', m: '(none)', c: '', o: '', e: '', i: '', k: {}, l: LANDING, r: '', a })
  const google = touch({
    s: 'google',
    c: 'brand',
    k: { gclid: 'g-1' },
    l: OTHER_PAGE,
    r: 'https://google.com/',
    a: T0 + 5000,
  })
  const vk = touch({ s: 'vk', m: 'social', k: {}, l: LANDING, a: T0 + 9000 })

  /** A touch kept whole, as the session's first touch holds it. */
  const whole = (w: WireTouch) => ({
    type: w.t,
    source: w.s,
    medium: w.m,
    campaign: w.c,
    content: w.o,
    term: w.e,
    utmId: w.i,
    clickIds: w.k ?? {},
    landingUrl: w.l,
    referrer: w.r,
    at: w.a,
  })
  /** A touch as the session's current one. */
  const current = (w: WireTouch) => ({
    touchType: w.t,
    source: w.s,
    medium: w.m,
    campaign: w.c,
    content: w.o,
    term: w.e,
    utmId: w.i,
    clickIds: w.k ?? {},
    touchLandingUrl: w.l,
    touchReferrer: w.r,
    touchAt: new Date(w.a),
  })

  type Raw = { first_touch: string | null; touch_landing_url: string | null; source: string }
  const raw = async (id: string) => (await siteRows<Raw>('sessions', SITE, 'id = ?', id))[0]!
  const decoded = async (ids: string[]) => {
    const scope = readScope(visitShards(env), (await placementsOf(createDb(env.DB), [SITE])).values())
    const found = await findSessionsByIds(scope, ids)
    return new Map(found.map((s) => [s.id, s]))
  }
  /** What the session must read back as: everything sent, the first touch `first`, the current `now`. */
  const expected = (s: string, v: string, first: WireTouch, now: WireTouch, lastSeen: number) => ({
    siteId: SITE,
    id: s,
    visitorId: v,
    startedAt: new Date(T0),
    lastSeenAt: new Date(lastSeen),
    landingUrl: LANDING,
    firstTouch: whole(first),
    ...current(now),
  })
  /** A session's sends: it lands on yandex, comes back by google, then direct, then by vk. */
  const sends = (s: string, v: string) =>
    [yandex, google, direct(T0 + 8000), vk].map((c, n) =>
      payload({ s, v, b: T0, u: LANDING, f: yandex, c, e: [pageview({ a: T0 + 1000 * (n + 1) })] })
    )

  it('stores neither the first touch nor the touch landing page while they repeat the session', async () => {
    const s = uuid()
    const v = uuid()
    await ingest([{ siteId: SITE, payload: payload({ s, v, b: T0, u: LANDING, f: yandex, c: yandex }) }])
    expect(await raw(s)).toMatchObject({ first_touch: null, touch_landing_url: null, source: 'yandex' })
    expect((await decoded([s])).get(s)).toEqual(expected(s, v, yandex, yandex, T0 + 1000))
  })

  it('stores the touch landing page when it is another page than the landing', async () => {
    const s = uuid()
    const v = uuid()
    await ingest([{ siteId: SITE, payload: payload({ s, v, b: T0, u: LANDING, f: google, c: google }) }])
    expect(await raw(s)).toMatchObject({ first_touch: null, touch_landing_url: OTHER_PAGE })
    expect((await decoded([s])).get(s)).toEqual(expected(s, v, google, google, T0 + 1000))
  })

  it('keeps the original first touch once later non-direct touches replace the current one, across batches', async () => {
    const s = uuid()
    const v = uuid()
    const [first, second, third, fourth] = sends(s, v)
    await ingest([{ siteId: SITE, payload: first! }])
    expect(await raw(s)).toMatchObject({ first_touch: null, touch_landing_url: null })
    await ingest([{ siteId: SITE, payload: second! }])
    // Replaced by google: the row now keeps yandex whole, and google's own landing page.
    let row = await raw(s)
    expect(JSON.parse(row.first_touch!)).toEqual(whole(yandex))
    expect(row).toMatchObject({ source: 'google', touch_landing_url: OTHER_PAGE })
    await ingest([{ siteId: SITE, payload: third! }])
    // A later direct touch replaces nothing; only the last-seen time moves on.
    expect(await raw(s)).toEqual({ ...row, last_seen_at: T0 + 3000 })
    await ingest([{ siteId: SITE, payload: fourth! }])
    row = await raw(s)
    // vk replaces google; the first touch is still yandex, not the google it replaced.
    expect(JSON.parse(row.first_touch!)).toEqual(whole(yandex))
    expect(row).toMatchObject({ source: 'vk', touch_landing_url: null })
    expect((await decoded([s])).get(s)).toEqual(expected(s, v, yandex, vk, T0 + 4000))
  })

  it('stores the same row when the sends come in one batch, or in any order', async () => {
    const [oneBatch, shuffled, acrossBatches] = [uuid(), uuid(), uuid()]
    const v = uuid()
    await ingest(sends(oneBatch, v).map((p) => ({ siteId: SITE, payload: p })))
    for (const p of sends(acrossBatches, v)) await ingest([{ siteId: SITE, payload: p }])
    const [first, second, third, fourth] = sends(shuffled, v)
    for (const p of [fourth!, second!, first!, third!]) await ingest([{ siteId: SITE, payload: p }])

    const rows = await Promise.all([oneBatch, shuffled, acrossBatches].map(raw))
    for (const row of rows) {
      expect(JSON.parse(row.first_touch!)).toEqual(whole(yandex))
      expect(row).toMatchObject({ source: 'vk', touch_landing_url: null })
    }
    const { id: _a, ...one } = rows[0] as Raw & { id: string }
    const { id: _b, ...other } = rows[2] as Raw & { id: string }
    const parsed = (row: typeof one) => ({ ...row, first_touch: JSON.parse(row.first_touch!) })
    expect(parsed(one)).toEqual(parsed(other))

    const found = await decoded([oneBatch, shuffled, acrossBatches])
    for (const s of [oneBatch, shuffled, acrossBatches]) {
      expect(found.get(s)).toEqual(expected(s, v, yandex, vk, T0 + 4000))
    }
  })

  it('keeps a first touch sent apart from the current one, and a direct first touch once replaced', async () => {
    const [apart, fromDirect] = [uuid(), uuid()]
    const v = uuid()
    // The visitor came by yandex before; this session started direct, then came back by google.
    await ingest([{ siteId: SITE, payload: payload({ s: apart, v, b: T0, u: LANDING, f: yandex, c: direct(T0) }) }])
    expect(JSON.parse((await raw(apart)).first_touch!)).toEqual(whole(yandex))
    await ingest([{ siteId: SITE, payload: payload({ s: apart, v, b: T0, u: LANDING, f: yandex, c: google }) }])
    expect(JSON.parse((await raw(apart)).first_touch!)).toEqual(whole(yandex))
    // A session that started direct, as its first touch too, and then came by google.
    await ingest([{ siteId: SITE, payload: payload({ s: fromDirect, v, b: T0, u: LANDING, f: direct(T0), c: direct(T0) }) }])
    expect((await raw(fromDirect)).first_touch).toBeNull()
    await ingest([{ siteId: SITE, payload: payload({ s: fromDirect, v, b: T0, u: LANDING, f: direct(T0), c: google }) }])
    expect(JSON.parse((await raw(fromDirect)).first_touch!)).toEqual(whole(direct(T0)))

    const found = await decoded([apart, fromDirect])
    expect(found.get(apart)).toEqual(expected(apart, v, yandex, google, T0 + 1000))
    expect(found.get(fromDirect)).toEqual(expected(fromDirect, v, direct(T0), google, T0 + 1000))
  })
})

describe('retention', () => {
  const now = new Date(T0 + 400 * DAY)
  const old = () =>
    payload({ b: T0, e: [pageview({ a: T0, h: [`e:${'2'.repeat(64)}`] }), pageview({ t: 'booking_open', a: T0 + 1000 })] })
  const fresh = () => payload({ b: now.getTime() - 179 * DAY, e: [pageview({ a: now.getTime() - 179 * DAY })] })

  it('purges expired sessions on every shard, with their events, contacts and drawers', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const kept: Record<string, string> = {}
    for (const shard of [0, 1]) {
      const siteId = `site-retention-${shard}`
      await seedSite(siteId, `key-retention-${shard}`, 'clinic.ru', shard)
      const keep = fresh()
      kept[siteId] = keep.s
      const result = await ingest([
        { siteId, payload: old() },
        { siteId, payload: keep },
      ], env, now.getTime())
      expect(result.retryMessages).toEqual([])
      expect((await everywhere((await placementOf(siteId)).visitsKey))[shard]).toEqual({
        sessions: 2,
        events: 3,
        contact_hashes: 1,
        booking_drawers: 1,
      })
    }

    // The daily cron, as the Worker runs it (its import jobs captured, not delivered).
    vi.spyOn(env.IMPORTS, 'sendBatch').mockResolvedValue(undefined as never)
    const ctx = createExecutionContext()
    worker.scheduled(createScheduledController({ scheduledTime: now, cron: '0 3 * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)

    for (const shard of [0, 1]) {
      const siteId = `site-retention-${shard}`
      const counts = (await everywhere((await placementOf(siteId)).visitsKey))[shard]
      expect(counts).toEqual({ sessions: 1, events: 1, contact_hashes: 0, booking_drawers: 0 })
      expect((await siteRows('sessions', siteId)).map((s) => s.id)).toEqual([kept[siteId]])
    }
  })

  it('purges the other shards when one refuses', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const expired = { 0: payload({ b: T0, e: [pageview({ a: T0 })] }), 1: payload({ b: T0, e: [pageview({ a: T0 })] }) }
    for (const shard of [0, 1] as const) await ingest([{ siteId: `site-retention-${shard}`, payload: expired[shard] }])
    // Shard 0 refuses every delete of a session, as a D1 that is unavailable would.
    await env.VISITS_0.prepare(
      "CREATE TRIGGER keep_sessions BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    ).run()
    try {
      // D1 counts the cascaded rows in a delete's changes, so the total is not a count of sessions.
      expect(await purgeExpiredSessions(visitShards(env), 180, now)).toBeGreaterThan(0)
      expect(await shardsHolding(expired[0].s)).toEqual([0])
      expect(await shardsHolding(expired[1].s)).toEqual([])
      expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toContainEqual(
        expect.objectContaining({ msg: 'sessions purge failed', shard: 0 })
      )
    } finally {
      await env.VISITS_0.prepare('DROP TRIGGER keep_sessions').run()
    }
    expect(await purgeExpiredSessions(visitShards(env), 180, now)).toBeGreaterThan(0)
    expect(await shardsHolding(expired[0].s)).toEqual([])
  })
})
