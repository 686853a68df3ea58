import type { WireInput as WirePayload } from '../../../edge/collect/wire-schema'
import { BROWSER_UA, pageview, payload, T0, touch } from '../collect-fixtures'
import { BASE } from '../helpers'
import { workerFetch } from './worker-fetch'

export type LoadPlan = {
  clients: number
  sendsPerClient: number
  /** Share of sends whose answer the client "lost" and sent again, unchanged (same event ids). */
  retryRate: number
  sites: { key: string; domain: string; id: string }[]
  seed: number
}

export type LoadTally = {
  requests: number
  accepted: number
  rejected: Record<number, number>
  eventsSent: number
  /** Event ids of every accepted send, by site: what D1 must hold, exactly. */
  expected: Map<string, Map<string, string>>
  millis: number
}

/** mulberry32: the same seed gives the same clients, retries and event counts on every run. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

async function post(p: WirePayload, ip: string, tally: LoadTally, siteId: string) {
  tally.requests++
  tally.eventsSent += p.e.length
  const res = await workerFetch(`${BASE}/c`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': BROWSER_UA, 'cf-connecting-ip': ip },
    body: JSON.stringify(p),
  })
  await res.body?.cancel()
  if (res.status !== 204) {
    tally.rejected[res.status] = (tally.rejected[res.status] ?? 0) + 1
    return
  }
  tally.accepted++
  const site = tally.expected.get(siteId)!
  for (const e of p.e) site.set(e.i, p.s)
}

/**
 * One widget: a visitor with one session on its own address, sending pageviews of 1–5 events. Some
 * answers are "lost" and the same send goes again, at once or after the next one (the widget's retry queue).
 */
async function runClient(n: number, plan: LoadPlan, tally: LoadTally) {
  const rand = random(plan.seed + n)
  const site = plan.sites[n % plan.sites.length]!
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
  const base = payload({ k: site.key, u: `https://${site.domain}/`, f: touch(), c: touch() })
  let pending: WirePayload | undefined
  for (let i = 0; i < plan.sendsPerClient; i++) {
    const events = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, j) =>
      pageview({ a: T0 + i * 1000 + j, u: `https://${site.domain}/page-${i}` })
    )
    const send = { ...base, e: events }
    await post(send, ip, tally, site.id)
    if (pending) await post(pending, ip, tally, site.id)
    pending = undefined
    const retry = rand()
    if (retry < plan.retryRate / 2) await post(send, ip, tally, site.id)
    else if (retry < plan.retryRate) pending = send
  }
  if (pending) await post(pending, ip, tally, site.id)
}

/** Runs every client concurrently against `POST /c` of the Worker and counts what was accepted. */
export async function runLoad(plan: LoadPlan): Promise<LoadTally> {
  const tally: LoadTally = {
    requests: 0,
    accepted: 0,
    rejected: {},
    eventsSent: 0,
    expected: new Map(plan.sites.map((s) => [s.id, new Map()])),
    millis: 0,
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: plan.clients }, (_, n) => runClient(n, plan, tally)))
  tally.millis = Date.now() - started
  return tally
}
