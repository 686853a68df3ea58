import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { storedContactHash } from '../../edge/crypto/contact-hash'
import type { IngestMessage } from '../../edge/collect/wire-schema'
import worker from '../../edge/index'
import type { WireInput as WirePayload } from '../../edge/collect/wire-schema'
import { pageview, payload, seedSite, T0, touch, uuid } from './collect-fixtures'

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
  first_touch: string
  touch_type: string
  source: string
  campaign: string
  click_ids: string
  touch_at: number
}
const session = (id: string) =>
  env.DB.prepare('SELECT * FROM sessions WHERE site_id = ? AND id = ?')
    .bind(SITE, id)
    .first<SessionRow>()
const count = async (sql: string, ...values: string[]) =>
  (await env.DB.prepare(sql)
    .bind(...values)
    .first<{ n: number }>())!.n

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
    expect(JSON.parse(row!.first_touch)).toMatchObject({ type: 'utm', medium: 'cpc', utmId: '42' })
    const events = await env.DB.prepare(
      'SELECT type, name FROM events WHERE session_id = ? ORDER BY type'
    )
      .bind(p.s)
      .all()
    expect(events.results).toEqual([
      { type: 'booking_open', name: 'Записаться' },
      { type: 'pageview', name: null },
    ])
  })

  it('stores a retried event once, in one batch or across batches', async () => {
    const p = payload()
    await deliver([p, p])
    await deliver([p])
    const eventId = p.e[0]!.i
    const sql = 'SELECT count(*) AS n FROM events WHERE site_id = ? AND id = ?'
    expect(await count(sql, SITE, eventId)).toBe(1)
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
    expect(JSON.parse(row!.first_touch).source).toBe('yandex')
    expect(row).toMatchObject({ touch_type: 'utm', source: 'google', touch_at: T0 + 5000 })
    // Last-seen only advances, whatever order the sends arrive in.
    expect(row!.last_seen_at).toBe(T0 + 9000)
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

    const rows = await env.DB.prepare('SELECT hash, kind FROM contact_hashes WHERE session_id = ?')
      .bind(p.s)
      .all()
    const hash = await storedContactHash(env.CONTACT_HASH_KEY, phone)
    expect(rows.results).toEqual([{ hash, kind: 'phone' }])
    expect(JSON.stringify(rows.results)).not.toContain('22846ab8')
  })

  it('computes the HMAC of attribution.md §13 (key test-pepper)', async () => {
    expect(await storedContactHash('test-pepper', '79995551111')).toBe(
      'c37a20dd441d08cab53853b38ba5dfbdd86aad0d43ada343d212d1e3619751ec'
    )
  })

  it('has a table that refuses a raw phone or email', async () => {
    const s = uuid()
    await deliver([payload({ s })])
    const insert = (hash: string) =>
      env.DB.prepare(
        "INSERT INTO contact_hashes (site_id, hash, session_id, kind, at) VALUES (?, ?, ?, 'phone', 0)"
      )
        .bind(SITE, hash, s)
        .run()
    await expect(insert('79995551111')).rejects.toThrow(/CHECK constraint/)
    await expect(insert('mail@yandex.ru')).rejects.toThrow(/CHECK constraint/)
    await expect(insert(`p:${'a'.repeat(62)}`)).rejects.toThrow(/CHECK constraint/)
    expect(await count('SELECT count(*) AS n FROM contact_hashes WHERE session_id = ?', s)).toBe(0)
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

  it('retries only the message D1 refuses, not the rest of the batch', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const good = payload()
    const orphan = payload()
    const result = await deliverBodies([
      { id: 'orphan', body: { siteId: 'site-deleted-meanwhile', receivedAt: T0, payload: orphan } },
      { id: 'fine', body: { siteId: SITE, receivedAt: T0, payload: good } },
    ])
    expect(result.explicitAcks).toEqual(['fine'])
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['orphan'])
    expect(await session(good.s)).not.toBeNull()
  })
})

