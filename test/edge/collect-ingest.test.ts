import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { storedContactHash } from '../../edge/crypto/contact-hash'
import { createVisitsDb } from '../../edge/db/shards'
import { sessions } from '../../edge/db/schema/visits'
import { sessionOf } from '../../edge/db/visits'
import type { IngestMessage } from '../../edge/collect/wire-schema'
import worker from '../../edge/index'
import type { WireInput as WirePayload } from '../../edge/collect/wire-schema'
import { pageview, payload, seedSite, siteRows, T0, touch, uuid, visitsOf } from './collect-fixtures'

const SITE = 'site-ingest'

beforeAll(() => seedSite(SITE, 'key-ingest'))
afterEach(() => vi.restoreAllMocks())

/** Runs the real ingest consumer on these message bodies, as the queue would deliver them. */
async function deliverBodies(items: { id: string; body: unknown }[]) {
  const batch = createMessageBatch(
    'ingest',
    items.map(({ id, body }) => ({ id, timestamp: new Date(T0), attempts: 1, body }))
  )
  const ctx = createExecutionContext()
  await worker.queue(batch, env)
  return getQueueResult(batch, ctx)
}

let messageNo = 0
const deliver = (payloads: WirePayload[], receivedAt = T0 + 60_000) =>
  deliverBodies(
    payloads.map((p) => {
      const body: IngestMessage = { siteId: SITE, receivedAt, payload: p }
      return { id: `m${++messageNo}`, body }
    })
  )

type SessionRow = {
  visitor_id: string
  started_at: number
  last_seen_at: number
  landing_url: string
  first_touch: string | null
  touch_type: string
  source: string
  campaign: string
  click_ids: string
  touch_landing_url: string | null
  touch_at: number
}
/** The session's row in its site's shard, as stored. */
const session = async (id: string) => (await siteRows<SessionRow>('sessions', SITE, 'id = ?', id))[0] ?? null
/** The same row read back as the session it stores (touches whole, the site by its id). */
async function decoded(id: string) {
  const { d1, key } = await visitsOf(SITE)
  const rows = await createVisitsDb(d1)
    .select()
    .from(sessions)
    .where(and(eq(sessions.site, key), eq(sessions.id, id)))
  return rows[0] ? sessionOf(rows[0], SITE) : null
}

describe('the ingest queue consumer', () => {
  it('stores the session, its touches and its events, and acks the messages', async () => {
    const p = payload({ e: [pageview(), pageview({ t: 'booking_open', n: 'Записаться' })] })
    const result = await deliver([p])
    expect(result.explicitAcks).toEqual([`m${messageNo}`])

    const row = await session(p.s)
    expect(row).toMatchObject({
      visitor_id: p.v,
      started_at: T0,
      last_seen_at: T0 + 1000,
      landing_url: 'https://clinic.ru/implants',
      touch_type: 'utm',
      source: 'yandex',
      campaign: 'implants',
    })
    expect(JSON.parse(row!.click_ids)).toEqual({ yclid: '123456789' })
    // The first touch is the current one: stored as NULL, read back whole.
    expect(row!.first_touch).toBeNull()
    expect((await decoded(p.s))!.firstTouch).toMatchObject({ type: 'utm', medium: 'cpc', utmId: '42' })
    const events = (await siteRows<{ type: string; name: string | null }>('events', SITE, 'session_id = ?', p.s))
      .map(({ type, name }) => ({ type, name }))
      .sort((a, b) => a.type.localeCompare(b.type))
    expect(events).toEqual([
      { type: 'booking_open', name: 'Записаться' },
      { type: 'pageview', name: null },
    ])
  })

  it('stores a retried event once, in one batch or across batches', async () => {
    const p = payload()
    await deliver([p, p])
    await deliver([p])
    const eventId = p.e[0]!.i
    expect(await siteRows('events', SITE, 'id = ?', eventId)).toHaveLength(1)
  })

  it('keeps the first touch, replaces the current one only by a later non-direct one', async () => {
    const s = uuid()
    const v = uuid()
    const direct = (a: number) => touch({ t: 'direct', s: '(direct)', a })
    await deliver([payload({ s, v, c: direct(T0) })])
    const google = touch({ s: 'google', a: T0 + 5000 })
    await deliver([payload({ s, v, f: google, c: google, e: [pageview({ a: T0 + 9000 })] })])
    await deliver([payload({ s, v, c: direct(T0 + 8000), e: [pageview({ a: T0 + 3000 })] })])

    const row = await session(s)
    // The first touch differs from the current one, so it is stored whole.
    expect(JSON.parse(row!.first_touch!).source).toBe('yandex')
    expect(row).toMatchObject({ touch_type: 'utm', source: 'google', touch_at: T0 + 5000 })
    // Last-seen only advances, whatever order the sends arrive in.
    expect(row!.last_seen_at).toBe(T0 + 9000)
    expect(await decoded(s)).toMatchObject({
      firstTouch: { type: 'utm', source: 'yandex', at: T0 },
      touchType: 'utm',
      source: 'google',
      touchAt: new Date(T0 + 5000),
      lastSeenAt: new Date(T0 + 9000),
    })
  })

  it('never stores a client time later than the time the collector received it', async () => {
    const s = uuid()
    const hourAhead = T0 + 3_600_000
    await deliver([payload({ s, b: hourAhead, e: [pageview({ a: hourAhead })] })], T0 + 60_000)
    expect(await session(s)).toMatchObject({ started_at: T0 + 60_000, last_seen_at: T0 + 60_000 })
  })

  it('stores contact hashes only as HMAC-SHA256 under CONTACT_HASH_KEY, once per session', async () => {
    // attribution.md §13: SHA-256 of the normalised phone 79995551111.
    const phone = 'p:22846ab8f79870871eb44f653419a4a5069301827d8ae75b6c2a88e4989a364e'
    const p = payload({
      e: [pageview({ t: 'identify', h: [phone] }), pageview({ t: 'form_submit', h: [phone] })],
    })
    await deliver([p])

    const rows = (await siteRows<{ hash: string; kind: string }>('contact_hashes', SITE, 'session_id = ?', p.s))
      .map(({ hash, kind }) => ({ hash, kind }))
    const hash = await storedContactHash(env.CONTACT_HASH_KEY, phone)
    expect(rows).toEqual([{ hash, kind: 'phone' }])
    expect(JSON.stringify(rows)).not.toContain('22846ab8')
  })

  it('computes the HMAC of attribution.md §13 (key test-pepper)', async () => {
    expect(await storedContactHash('test-pepper', '79995551111')).toBe(
      'c37a20dd441d08cab53853b38ba5dfbdd86aad0d43ada343d212d1e3619751ec'
    )
  })

  it('has a table that refuses a raw phone or email', async () => {
    const s = uuid()
    await deliver([payload({ s })])
    const { d1, key } = await visitsOf(SITE)
    const insert = (hash: string) =>
      d1.prepare("INSERT INTO contact_hashes (site, hash, session_id, kind, at) VALUES (?, ?, ?, 'phone', 0)")
        .bind(key, hash, s)
        .run()
    await expect(insert('79995551111')).rejects.toThrow(/CHECK constraint/)
    await expect(insert('mail@yandex.ru')).rejects.toThrow(/CHECK constraint/)
    await expect(insert(`p:${'a'.repeat(62)}`)).rejects.toThrow(/CHECK constraint/)
    expect(await siteRows('contact_hashes', SITE, 'session_id = ?', s)).toEqual([])
  })

  it('acks a malformed message instead of retrying it, and still stores the good ones', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const good = payload()
    const result = await deliverBodies([
      { id: 'bad', body: { siteId: SITE, payload: { k: 1 } } },
      { id: 'good', body: { siteId: SITE, receivedAt: T0, payload: good } },
    ])
    expect(result.explicitAcks.sort()).toEqual(['bad', 'good'])
    expect(await session(good.s)).not.toBeNull()
  })

  it('acks a message for a site deleted since it was queued, and still stores the others', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const good = payload()
    const orphan = payload()
    const result = await deliverBodies([
      { id: 'orphan', body: { siteId: 'site-deleted-meanwhile', receivedAt: T0, payload: orphan } },
      { id: 'fine', body: { siteId: SITE, receivedAt: T0, payload: good } },
    ])
    // Nothing could ever store it: retrying would only end it in the dead-letter queue.
    expect(result.explicitAcks.sort()).toEqual(['fine', 'orphan'])
    expect(result.retryMessages).toEqual([])
    expect(await session(good.s)).not.toBeNull()
    for (const shard of [env.VISITS_0, env.VISITS_1]) {
      const found = await shard.prepare('SELECT count(*) AS n FROM sessions WHERE id = ?').bind(orphan.s).first<{ n: number }>()
      expect(found!.n).toBe(0)
    }
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toContainEqual(
      expect.objectContaining({ msg: 'ingest message for an unknown site', id: 'orphan' })
    )
  })

  it('retries only the message D1 refuses, not the rest of the batch', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const good = payload()
    const refused = payload()
    // The shard itself refuses this one session, as D1 refuses a write it cannot take.
    const { d1 } = await visitsOf(SITE)
    await d1
      .prepare(
        `CREATE TRIGGER refuse_one BEFORE INSERT ON sessions WHEN NEW.id = '${refused.s}'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`
      )
      .run()
    try {
      const result = await deliverBodies([
        { id: 'refused', body: { siteId: SITE, receivedAt: T0, payload: refused } },
        { id: 'fine', body: { siteId: SITE, receivedAt: T0, payload: good } },
      ])
      expect(result.explicitAcks).toEqual(['fine'])
      expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['refused'])
      expect(await session(good.s)).not.toBeNull()
      expect(await session(refused.s)).toBeNull()
      // Nothing of the refused message got in: its events went back with its session.
      expect(await siteRows('events', SITE, 'session_id = ?', refused.s)).toEqual([])
    } finally {
      await d1.prepare('DROP TRIGGER refuse_one').run()
    }
  })

  it('retries the messages of a site whose shard is not bound, and acks the others', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    // A site placed on shard 7, which this deployment does not bind (a binding removed too early).
    await seedSite('site-unbound-shard', 'key-unbound-shard', 'unbound.ru', 7)
    const good = payload()
    const stranded = payload()
    const result = await deliverBodies([
      { id: 'stranded', body: { siteId: 'site-unbound-shard', receivedAt: T0, payload: stranded } },
      { id: 'fine', body: { siteId: SITE, receivedAt: T0, payload: good } },
    ])
    expect(result.explicitAcks).toEqual(['fine'])
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['stranded'])
    expect(await session(good.s)).not.toBeNull()
    for (const shard of [env.VISITS_0, env.VISITS_1]) {
      const found = await shard.prepare('SELECT count(*) AS n FROM sessions WHERE id = ?').bind(stranded.s).first<{ n: number }>()
      expect(found!.n).toBe(0)
    }
  })
})
