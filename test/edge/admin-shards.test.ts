import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { IngestMessage } from '../../edge/collect/wire-schema'
import worker from '../../edge/index'
import { COPY_SLICE, DELETE_STEP_SLICES } from '../../edge/db/shard-moves'
import { DELETE_SLICE } from '../../edge/db/visits'
import { call } from './helpers'
import { loadDocument, responseChecker, operations } from './support/api-document'
import { payload, seedSite, siteRows, T0, touch, uuid } from './collect-fixtures'

const ADMIN = { authorization: `Bearer ${env.ADMIN_TOKEN}` }
const doc = await loadDocument()
const check = responseChecker(doc)
const op = (method: string, path: string) => operations(doc).find((o) => o.method === method && o.path === path)!

let messageNo = 0
async function deliver(siteId: string, payloads: ReturnType<typeof payload>[]) {
  const batch = createMessageBatch(
    'ingest',
    payloads.map((p) => {
      const body: IngestMessage = { siteId, receivedAt: T0 + 60_000, payload: p }
      return { id: `a${++messageNo}`, timestamp: new Date(T0), attempts: 1, body }
    })
  )
  await worker.queue(batch, env)
  return getQueueResult(batch, createExecutionContext())
}

const moveStep = async (siteId: string, body: object) => {
  const res = await call(`/admin/sites/${siteId}/move`, {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as any
  return { status: res.status, json }
}

describe('GET /admin/shards', () => {
  beforeAll(() => seedSite('site-admin-a', 'key-admin-a', 'a.clinic.ru', 1))

  it('reports each bound shard with its size and sites, behind ADMIN_TOKEN', async () => {
    expect((await call('/admin/shards')).status).toBe(401)
    expect((await call('/admin/shards', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    const res = await call('/admin/shards', { headers: ADMIN })
    const body = (await res.json()) as any
    expect(res.status).toBe(200)
    expect(check(op('GET', '/admin/shards'), 200, body)).toEqual([])
    expect(body.data.map((s: any) => s.shard)).toEqual([0, 1])
    expect(body.data[1].sites).toBeGreaterThanOrEqual(1)
    for (const shard of body.data) {
      expect(shard.sizeBytes).toBeGreaterThan(0)
      expect(shard.open).toBe(true)
    }
  })

  it('does not exist without ADMIN_TOKEN, and shows a closed shard as closed', async () => {
    const off = await worker.fetch(new Request('http://bridge.test/admin/shards', { headers: ADMIN }), {
      ...env,
      ADMIN_TOKEN: '',
    })
    expect(off.status).toBe(404)
    const closed = await worker.fetch(new Request('http://bridge.test/admin/shards', { headers: ADMIN }), {
      ...env,
      CLOSED_VISIT_SHARDS: '1',
    })
    const body = (await closed.json()) as any
    expect(body.data.map((s: any) => s.open)).toEqual([true, false])
  })
})

describe('POST /admin/sites/{id}/move', () => {
  const SITE = 'site-moving'
  const sent: string[] = []
  beforeAll(async () => {
    await seedSite(SITE, 'key-moving', 'moving.clinic.ru', 0)
    // More sessions than one copy step takes, so the copy runs in steps.
    for (let i = 0; i < COPY_SLICE + 20; i += 50) {
      const part = Array.from({ length: 50 }, () => payload({ k: 'key-moving', s: uuid() }))
      sent.push(...part.map((p) => p.s))
      await deliver(SITE, part)
    }
  })

  it('copies in steps the site row resumes, while the collector writes to both shards, switches, then deletes the old copy', async () => {
    const checked = op('POST', '/admin/sites/{id}/move')
    let step = await moveStep(SITE, { to: 1 })
    expect(step.status).toBe(200)
    expect(check(checked, 200, step.json)).toEqual([])
    expect(step.json).toMatchObject({ phase: 'copying', after: null, waitSeconds: 30 })

    // A send during the copy lands on both shards, and a later touch merges with the copied row.
    const during = payload({ k: 'key-moving', s: uuid() })
    const later = { ...payload({ k: 'key-moving', s: sent[0]! }), c: touch({ c: 'moved', a: T0 + 5_000 }) }
    await deliver(SITE, [during, later])
    sent.push(during.s)

    step = await moveStep(SITE, { to: 1 })
    expect(step.json).toMatchObject({ phase: 'copying', copied: COPY_SLICE })
    const cursor = await env.DB.prepare('SELECT move_cursor AS c FROM sites WHERE id = ?').bind(SITE).first<{ c: string }>()
    expect(cursor!.c).toBe(step.json.after)
    // A step whose cursor update was lost copies its slice again, and that changes nothing.
    await env.DB.prepare('UPDATE sites SET move_cursor = NULL WHERE id = ?').bind(SITE).run()
    expect((await moveStep(SITE, { to: 1 })).json).toMatchObject({ phase: 'copying', copied: COPY_SLICE })
    // The rest: the site row kept where the copy stopped, so the next step (a script run again) goes on.
    step = await moveStep(SITE, { to: 1 })
    expect(step.json).toMatchObject({ phase: 'deleting' })
    expect(step.json.copied).toBe(sent.length - COPY_SLICE)

    const placed = await env.DB.prepare('SELECT shard, move_to, move_from FROM sites WHERE id = ?').bind(SITE).first()
    expect(placed).toEqual({ shard: 1, move_to: null, move_from: 0 })
    const onNew = await siteRows<{ id: string; campaign: string }>('sessions', SITE)
    expect(new Set(onNew.map((s) => s.id))).toEqual(new Set(sent))
    expect(onNew.find((s) => s.id === sent[0])!.campaign).toBe('moved')
    // Every event once: each send's pageview, and the later touch's.
    expect((await siteRows('events', SITE)).length).toBe(sent.length + 1)

    step = await moveStep(SITE, { to: 1 })
    expect(step.json).toMatchObject({ phase: 'done', deleted: sent.length })
    const key = (await env.DB.prepare('SELECT visits_key AS k FROM sites WHERE id = ?').bind(SITE).first<{ k: number }>())!.k
    const left = await env.VISITS_0.prepare('SELECT count(*) AS n FROM sessions WHERE site = ?').bind(key).first<{ n: number }>()
    expect(left!.n).toBe(0)
    expect((await moveStep(SITE, { to: 1 })).json).toMatchObject({ phase: 'done', copied: 0, deleted: 0 })
  })

  it('deletes a big old copy over several steps, each within an invocation\'s limits', async () => {
    const BIG = 'site-moving-big'
    await seedSite(BIG, 'key-moving-big', 'big.clinic.ru', 0)
    const { k: key } = (await env.DB.prepare('SELECT visits_key AS k FROM sites WHERE id = ?').bind(BIG).first<{ k: number }>())!
    // One session more than a delete step takes, straight into the old shard as if copied already.
    const count = DELETE_STEP_SLICES * DELETE_SLICE + 1
    await env.VISITS_0.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
       INSERT INTO sessions (site, id, visitor_id, started_at, last_seen_at, landing_url, touch_type, source,
         medium, campaign, content, term, utm_id, click_ids, touch_referrer, touch_at)
       SELECT ?1, 's' || i, 'v', 1, 1, 'https://big.clinic.ru/', 'direct', '', '', '', '', '', '', '{}', '', 1 FROM n`
    ).bind(key).run()
    await env.DB.prepare('UPDATE sites SET shard = 1, move_from = 0 WHERE id = ?').bind(BIG).run()

    expect((await moveStep(BIG, { to: 1 })).json).toMatchObject({ phase: 'deleting', deleted: count - 1 })
    expect((await moveStep(BIG, { to: 1 })).json).toMatchObject({ phase: 'done', deleted: 1 })
    const placed = await env.DB.prepare('SELECT shard, move_from FROM sites WHERE id = ?').bind(BIG).first()
    expect(placed).toEqual({ shard: 1, move_from: null })
  })

  it('refuses an unbound shard, an unknown site, a second target mid-move, and a missing token', async () => {
    expect((await moveStep(SITE, { to: 7 })).status).toBe(400)
    expect((await moveStep('no-such-site', { to: 1 })).status).toBe(404)
    await seedSite('site-moving-2', 'key-moving-2', 'two.clinic.ru', 0)
    expect((await moveStep('site-moving-2', { to: 1 })).json.phase).toBe('copying')
    const conflict = await moveStep('site-moving-2', { to: 0 })
    expect(conflict.status).toBe(409)
    expect(conflict.json.error.code).toBe('conflict')
    const res = await call(`/admin/sites/${SITE}/move`, { method: 'POST', body: '{"to":1}' })
    expect(res.status).toBe(401)
  })
})
