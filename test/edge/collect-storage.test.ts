import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createContactHasher, storedContactHash } from '../../edge/crypto/contact-hash'
import { rowsFor } from '../../edge/collect/rows'
import {
  wirePayloadSchema,
  type IngestMessage,
  type WireInput as WirePayload,
} from '../../edge/collect/wire-schema'
import { createDb } from '../../edge/db/client'
import { createVisitsDb, placementsOf, readScope, visitShards } from '../../edge/db/shards'
import {
  findBookingDrawers,
  findContactSightings,
  findSessionsByIds,
  mergeRanges,
  ingestStatements,
} from '../../edge/db/visits'
import worker from '../../edge/index'
import { countRows, pageview, payload, seedSite, siteRows, T0, touch, uuid, visitsOf } from './collect-fixtures'

const SITE = 'site-store'
const OTHER = 'site-other'
const MIN = 60_000
const DAY = 86_400_000

beforeAll(async () => {
  await seedSite(SITE, 'key-store')
  await seedSite(OTHER, 'key-other', 'other.ru')
})
afterEach(() => vi.restoreAllMocks())

const message = (p: WirePayload, siteId = SITE, receivedAt = p.b + MIN): IngestMessage => ({
  siteId,
  receivedAt,
  payload: p,
})

async function deliver(messages: IngestMessage[]) {
  const batch = createMessageBatch(
    'ingest',
    messages.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body }))
  )
  await worker.queue(batch, env)
}

/** Where the matching reads the given sites' visits: their shards, their keys. */
const scopeOf = async (...siteIds: string[]) =>
  readScope(visitShards(env), (await placementsOf(createDb(env.DB), siteIds)).values())

const twentyEvents = () => Array.from({ length: 20 }, (_, i) => pageview({ a: T0 + i }))

describe('D1 statements per ingest batch', () => {
  const cases = [
    { name: '100 one-pageview sends of 100 sessions', sends: 100, events: 1, statements: 20 + 9 },
    { name: 'one send of 20 events', sends: 1, events: 20, statements: 1 + 2 },
    { name: '100 sends of 20 events each', sends: 100, events: 20, statements: 20 + 167 },
  ]
  for (const c of cases) {
    it(`${c.name}: ${c.statements} statements in one D1 batch, every row stored`, async () => {
      const site = `site-count-${c.sends}-${c.events}`
      await seedSite(site, `key-${site}`)
      const messages = Array.from({ length: c.sends }, () =>
        message(payload({ e: c.events === 1 ? [pageview()] : twentyEvents() }), site)
      )
      // The site's shard gets the writes; the main database is only read (the batch's placements).
      const { d1 } = await visitsOf(site)
      const batches = vi.spyOn(d1, 'batch')
      const prepared = vi.spyOn(d1, 'prepare')
      const mainBatches = vi.spyOn(env.DB, 'batch')
      await deliver(messages)

      expect(mainBatches).not.toHaveBeenCalled()
      expect(batches).toHaveBeenCalledTimes(1)
      expect(batches.mock.calls[0]![0]).toHaveLength(c.statements)
      expect(prepared).toHaveBeenCalledTimes(c.statements)
      expect(await countRows('events', site)).toBe(c.sends * c.events)
      expect(await countRows('sessions', site)).toBe(c.sends)
    })
  }

  it('binds fewer than 100 parameters in every statement', async () => {
    const messages = Array.from({ length: 100 }, () =>
      message(payload({ e: twentyEvents().map((e) => ({ ...e, h: [`p:${'a'.repeat(64)}`] })) }))
    )
    const drawers = Array.from({ length: 100 }, () => {
      const open = pageview({ t: 'booking_open', n: 'iframe' })
      return message(payload({ e: [open, pageview({ t: 'booking_close', o: open.i, d: 1000, a: T0 + 2000 })] }))
    })
    const { key } = await visitsOf(SITE)
    const rows = await rowsFor([...messages, ...drawers], await createContactHasher('k'), () => key)
    expect(rows.drawers).toHaveLength(100)
    const statements = ingestStatements(createVisitsDb(env.VISITS_0), rows)
    for (const statement of statements) expect(statement.toSQL().params.length).toBeLessThan(100)
  })
})

describe('the matching-ladder queries', () => {
  const phone = `p:${'1'.repeat(64)}`
  const early = payload({ b: T0 - 40 * DAY, e: [pageview({ a: T0 - 40 * DAY, h: [phone] })] })
  const direct = payload({
    c: touch({ t: 'direct' }),
    e: [pageview({ a: T0 - 2 * DAY, t: 'identify', h: [phone] })],
  })
  const opened = payload({ e: [pageview({ t: 'booking_open', a: T0 - 10 * MIN })] })
  const openedTwice = payload({
    e: [pageview({ t: 'booking_open', a: T0 - 20 * MIN }), pageview({ t: 'booking_open', n: 'iframe', a: T0 })],
  })
  const tooEarly = payload({ e: [pageview({ t: 'booking_open', a: T0 - 31 * MIN })] })
  const elsewhere = payload({
    k: 'key-other',
    u: 'https://other.ru/',
    e: [pageview({ t: 'booking_open', a: T0, h: [phone] })],
  })
  beforeAll(async () => {
    await deliver([
      message(early, SITE, T0),
      message(direct, SITE, T0),
      message(opened, SITE, T0),
      message(openedTwice, SITE, T0),
      message(tooEarly, SITE, T0),
      message(elsewhere, OTHER, T0),
    ])
  })

  it('finds sessions by the ids a booking carries, only on the given sites', async () => {
    const found = await findSessionsByIds(await scopeOf(SITE), [opened.s, elsewhere.s, uuid()])
    expect(found.map((s) => s.id)).toEqual([opened.s])
    expect(found[0]).toMatchObject({ siteId: SITE, touchType: 'utm', source: 'yandex' })
  })

  it('finds the captures of a contact on the given sites within a time range', async () => {
    const hash = await storedContactHash(env.CONTACT_HASH_KEY, phone)
    const found = await findContactSightings(await scopeOf(SITE), {
      hashes: [hash],
      from: new Date(T0 - 30 * DAY),
      to: new Date(T0),
    })
    expect(found.map((s) => s.session.id)).toEqual([direct.s])
    expect(found[0]).toMatchObject({ hash, at: new Date(T0 - 2 * DAY) })
    expect(found[0]!.session.touchType).toBe('direct')
    const beforeCapture = await findContactSightings(await scopeOf(SITE), {
      hashes: [hash],
      from: new Date(T0 - 30 * DAY),
      to: new Date(T0 - 3 * DAY),
    })
    expect(beforeCapture).toEqual([])
  })

  it('reads only the openings inside the given ranges, not the time between them', async () => {
    const found = await findBookingDrawers(await scopeOf(SITE), {
      ranges: [
        { from: new Date(T0 - 21 * MIN), to: new Date(T0 - 19 * MIN) },
        { from: new Date(T0 - MIN), to: new Date(T0 + MIN) },
      ],
    })
    expect(found.map((o) => o.drawer.openedAt.getTime()).sort()).toEqual([T0 - 20 * MIN, T0])
    expect(found.every((o) => o.session.id === openedTwice.s)).toBe(true)
  })

  it('merges overlapping and touching ranges', () => {
    const at = (m: number) => new Date(T0 + m * MIN)
    const merged = mergeRanges([
      { from: at(10), to: at(20) },
      { from: at(0), to: at(5) },
      { from: at(5), to: at(8) },
      { from: at(15), to: at(30) },
    ])
    expect(merged).toEqual([
      { from: at(0), to: at(8) },
      { from: at(10), to: at(30) },
    ])
  })

  it('finds every opening of the booking widget in a time range, with its session', async () => {
    const found = await findBookingDrawers(await scopeOf(SITE), {
      ranges: [{ from: new Date(T0 - 30 * MIN), to: new Date(T0 + 5 * MIN) }],
    })
    const opens = found.map((o) => [o.session.id, o.drawer.openedAt.getTime(), o.drawer.kind]).sort()
    expect(opens).toEqual(
      [
        [opened.s, T0 - 10 * MIN, 'link'],
        [openedTwice.s, T0 - 20 * MIN, 'link'],
        [openedTwice.s, T0, 'iframe'],
      ].sort()
    )
  })
})

describe('booking drawers', () => {
  const drawerOf = async (site: string, id: string) => (await siteRows('booking_drawers', site, 'id = ?', id))[0]

  it('assembles a drawer from its open, focus and close in whatever order and batch they arrive', async () => {
    const site = 'site-drawers'
    await seedSite(site, 'key-drawers')
    const orders = [
      ['open', 'focus', 'close'],
      ['close', 'focus', 'open'],
      ['focus', 'close', 'open'],
    ]
    for (const [n, order] of orders.entries()) {
      const base = payload({ b: T0 })
      const open = pageview({ t: 'booking_open', n: 'iframe', a: T0 + MIN })
      const parts = {
        open,
        focus: pageview({ t: 'booking_focus', o: open.i, a: T0 + MIN + 5_000 }),
        close: pageview({ t: 'booking_close', o: open.i, d: 170_000, n: 'unload', a: T0 + 4 * MIN }),
      }
      const sends = order.map((name) => ({ ...base, e: [parts[name as keyof typeof parts]] }))
      // The first order in one batch, the others one send per batch (and the last send twice: a retry).
      if (n === 0) await deliver(sends.map((p) => message(p, site, T0 + 5 * MIN)))
      else for (const p of [...sends, sends.at(-1)!]) await deliver([message(p, site, T0 + 5 * MIN)])
      expect(await drawerOf(site, open.i)).toMatchObject({
        session_id: base.s,
        kind: 'iframe',
        opened_at: T0 + MIN,
        focused_at: T0 + MIN + 5_000,
        closed_at: T0 + 4 * MIN,
        visible_ms: 170_000,
        closed_by: 'unload',
      })
    }
    const found = await findBookingDrawers(await scopeOf(site), {
      ranges: [{ from: new Date(T0), to: new Date(T0 + 2 * MIN) }],
    })
    expect(found).toHaveLength(3)
  })

  it('caps a drawer left open for days at a day instead of refusing the send', async () => {
    const site = 'site-drawers-long'
    await seedSite(site, 'key-drawers-long')
    const openId = uuid()
    const close = pageview({ t: 'booking_close', o: openId, d: 3 * DAY, n: 'unload', a: T0 })
    const parsed = wirePayloadSchema.parse(payload({ b: T0 - 3 * DAY, e: [close] }))
    expect(parsed.e[0]!.d).toBe(DAY)
    await deliver([{ siteId: site, receivedAt: T0 + MIN, payload: parsed }])
    expect(await drawerOf(site, openId)).toMatchObject({ visible_ms: DAY, opened_at: T0 - DAY })
  })

  it('estimates the opening from the close until the open arrives', async () => {
    const site = 'site-drawers-close-only'
    await seedSite(site, 'key-drawers-close-only')
    const openId = uuid()
    const close = pageview({ t: 'booking_close', o: openId, d: 60_000, a: T0 + 3 * MIN })
    await deliver([message(payload({ e: [close] }), site, T0 + 5 * MIN)])
    expect(await drawerOf(site, openId)).toMatchObject({
      kind: null,
      opened_at: T0 + 2 * MIN,
      closed_at: T0 + 3 * MIN,
      closed_by: 'hide',
    })
  })
})

describe('client clocks', () => {
  it('moves the times of a skewed browser onto the receipt clock by its send time', async () => {
    const site = 'site-skew'
    await seedSite(site, 'key-skew')
    const skew = -3 * MIN // this browser's clock runs 3 minutes behind
    const open = pageview({ t: 'booking_open', n: 'iframe', a: T0 + skew, h: [`p:${'3'.repeat(64)}`] })
    // Sent 10 s after the event (client clock), received at T0 + 10 s.
    const p = payload({ b: T0 - MIN + skew, w: T0 + 10_000 + skew, e: [open] })
    await deliver([message(p, site, T0 + 10_000)])
    const only = async (table: Parameters<typeof siteRows>[0], column: string) =>
      (await siteRows(table, site)).map((row) => ({ [column]: row[column] }))
    expect(await only('sessions', 'started_at')).toEqual([{ started_at: T0 - MIN }])
    expect(await only('events', 'at')).toEqual([{ at: T0 }])
    expect(await only('contact_hashes', 'at')).toEqual([{ at: T0 }])
    expect(await only('booking_drawers', 'opened_at')).toEqual([{ opened_at: T0 }])
  })

  it('keeps the times of a send without a send time, capped at the receipt', async () => {
    const site = 'site-no-send-time'
    await seedSite(site, 'key-no-send-time')
    const ahead = pageview({ a: T0 + 10 * MIN })
    await deliver([message(payload({ b: T0, e: [ahead] }), site, T0 + MIN)])
    expect((await siteRows('events', site)).map((e) => e.at)).toEqual([T0 + MIN])
  })
})

describe('retention', () => {
  it('purges sessions last seen over SESSION_RETENTION_DAYS ago, with their events and contacts', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const site = 'site-retention'
    await seedSite(site, 'key-retention')
    const now = T0 + 400 * DAY
    const old = payload({ b: T0, e: [pageview({ a: T0, h: [`e:${'2'.repeat(64)}`] })] })
    const fresh = payload({ b: now - 179 * DAY, e: [pageview({ a: now - 179 * DAY })] })
    await deliver([message(old, site), message(fresh, site)])
    expect(await countRows('contact_hashes', site)).toBe(1)

    const ctx = createExecutionContext()
    const scheduledTime = new Date(now)
    const controller = createScheduledController({ scheduledTime, cron: '0 3 * * *' })
    worker.scheduled(controller, env, ctx)
    await waitOnExecutionContext(ctx)

    const left = await siteRows('sessions', site)
    expect(left.map((row) => row.id)).toEqual([fresh.s])
    expect(await countRows('events', site)).toBe(1)
    expect(await countRows('contact_hashes', site)).toBe(0)
  })
})
