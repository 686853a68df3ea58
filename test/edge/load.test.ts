import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { BROWSER_UA, payload, seedSite, siteRows } from './collect-fixtures'
import { BASE } from './helpers'
import { type LoadPlan, runLoad } from './support/load-clients'
import { workerFetch } from './support/worker-fetch'

/**
 * `npm test` runs scale 1 (~1,200 sends); `npm run bench` sets LOAD_SCALE for a larger run. The local
 * queue broker stops at 10,000 messages per runtime (workerd's "max active timeouts"), so scale ≤ 7.
 */
const SCALE = Math.max(1, Number(env.LOAD_SCALE ?? '1') || 1)
const CLIENTS = 120 * SCALE
const SENDS_PER_CLIENT = 8
// The collector allows 3,000 sends a minute per site; the load is spread so none is refused.
const SENDS_PER_SITE = 2_000
const SITES = Math.ceil((CLIENTS * SENDS_PER_CLIENT * 1.3) / SENDS_PER_SITE)

const plan: LoadPlan = {
  clients: CLIENTS,
  sendsPerClient: SENDS_PER_CLIENT,
  retryRate: 0.25,
  seed: 4242,
  sites: Array.from({ length: SITES }, (_, i) => ({
    id: `site-load-${i}`,
    key: `key-load-${i}`,
    domain: `load-${i}.ru`,
  })),
}

const storedEvents = (siteId: string) => siteRows<{ id: string; session_id: string }>('events', siteId)

/** The load sites' events, summed over the shards they are spread across. */
async function totalStored() {
  let n = 0
  for (const shard of [env.VISITS_0, env.VISITS_1]) {
    const row = await shard
      .prepare(`SELECT count(*) AS n FROM events WHERE site IN (${loadKeys.map(() => '?').join(', ')})`)
      .bind(...loadKeys)
      .first<{ n: number }>()
    n += row!.n
  }
  return n
}
let loadKeys: number[] = []

/** Polls until the queue has delivered `expected` rows or stopped making progress for `idleMs`. */
async function drained(expected: number, idleMs = 6_000) {
  let last = -1
  let lastChange = Date.now()
  for (;;) {
    const n = await totalStored()
    if (n !== last) [last, lastChange] = [n, Date.now()]
    if (n >= expected || Date.now() - lastChange > idleMs) return n
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

beforeAll(async () => {
  // Spread over both shards: the consumer splits each batch by shard.
  for (const [i, site] of plan.sites.entries()) await seedSite(site.id, site.key, site.domain, i % 2)
  const keys = await env.DB.prepare("SELECT visits_key AS key FROM sites WHERE id LIKE 'site-load-%'").all<{ key: number }>()
  loadKeys = keys.results.map((row) => row.key)
})
afterEach(() => vi.restoreAllMocks())

describe('load: concurrent widget clients through POST /c, the ingest queue and its consumer', () => {
  it('stores exactly the unique events: none lost, none doubled', async () => {
    const tally = await runLoad(plan)
    const unique = [...tally.expected.values()].reduce((sum, ids) => sum + ids.size, 0)
    const deliveredAt = Date.now()
    await drained(unique)
    const drainMs = Date.now() - deliveredAt
    // A late duplicate would land within one more batch window (max_batch_timeout = 2 s).
    await new Promise((resolve) => setTimeout(resolve, 2_500))

    let stored = 0
    let lost = 0
    let doubled = 0
    let wrongSession = 0
    for (const [siteId, expected] of tally.expected) {
      const rows = await storedEvents(siteId)
      stored += rows.length
      const seen = new Set<string>()
      for (const row of rows) {
        if (seen.has(row.id)) doubled++
        seen.add(row.id)
        if (expected.get(row.id) !== row.session_id) wrongSession++
      }
      for (const id of expected.keys()) if (!seen.has(id)) lost++
    }
    const figures = {
      scale: SCALE,
      clients: CLIENTS,
      sites: SITES,
      requests: tally.requests,
      accepted: tally.accepted,
      rejected: tally.rejected,
      eventsSent: tally.eventsSent,
      uniqueEvents: unique,
      retriedEvents: tally.eventsSent - unique,
      stored,
      lost,
      doubled,
      wrongSession,
      sendMs: tally.millis,
      drainMs,
      sendsPerSecond: Math.round((tally.requests / tally.millis) * 1000),
    }
    console.log(`LOAD ${JSON.stringify(figures)}`)

    expect(tally.rejected).toEqual({})
    expect(tally.eventsSent - unique).toBeGreaterThan(unique / 10)
    expect(unique).toBeGreaterThanOrEqual(2_000)
    expect({ stored, lost, doubled, wrongSession }).toEqual({ stored: unique, lost: 0, doubled: 0, wrongSession: 0 })
  }, 600_000)

  it('answers 503 in the error shape when the queue refuses a send, and stores the widget’s resend once', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const site = plan.sites[0]!
    const p = payload({ k: site.key, u: `https://${site.domain}/outage` })
    const post = () =>
      workerFetch(`${BASE}/c`, {
        method: 'POST',
        headers: { 'user-agent': BROWSER_UA, 'cf-connecting-ip': '192.0.2.50' },
        body: JSON.stringify(p),
      })
    const refuse = vi.spyOn(env.INGEST, 'send').mockRejectedValueOnce(new Error('Queue overloaded'))
    const refused = await post()
    expect(refused.status).toBe(503)
    expect(await refused.json()).toMatchObject({ error: { code: 'unavailable', requestId: expect.any(String) } })
    refuse.mockRestore()

    expect((await post()).status).toBe(204)
    expect((await post()).status).toBe(204)
    const count = async () => (await siteRows('events', site.id, 'id = ?', p.e[0]!.i)).length
    for (let i = 0; i < 50 && (await count()) === 0; i++) await new Promise((r) => setTimeout(r, 200))
    expect(await count()).toBe(1)
  }, 30_000)
})
