// Collector: POST /c under concurrent load next to the same Worker's 404 for an unknown path, in
// alternating rounds of the same run; then the ingest consumer's D1 statements per stored event.
import { setUpClinic, loadSandboxModule } from './lib/clinic.mjs'
import { runLoad } from './lib/load.mjs'
import { ratio, report, round, table } from './lib/report.mjs'
import { startWorker } from './lib/worker.mjs'

const CONNECTIONS = 16
const ROUND_MS = 4000
const ROUNDS = 3
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36'

const { DEMO_KEY } = await loadSandboxModule()
const worker = await startWorker()
const clinic = await setUpClinic(worker, { demoKey: DEMO_KEY })

const touch = (at) => ({
  t: 'utm', s: 'yandex', m: 'cpc', c: 'implants', o: '', e: '', i: '', k: { yclid: '777' },
  l: 'https://clinic.ru/?utm_source=yandex&utm_medium=cpc&utm_campaign=implants&yclid=777', r: '', a: at,
})

/** One pageview of a new session, as the widget sends a landing. */
function pageview() {
  const at = Date.now()
  return JSON.stringify({
    k: clinic.siteKey, v: crypto.randomUUID(), s: crypto.randomUUID(), b: at, u: 'https://clinic.ru/',
    f: touch(at), c: touch(at), e: [{ i: crypto.randomUUID(), t: 'pageview', a: at, u: 'https://clinic.ru/' }],
  })
}

const headers = { 'user-agent': BROWSER_UA, 'content-type': 'text/plain;charset=UTF-8' }
const routes = {
  collect: { url: `${worker.url}/c`, next: () => ({ method: 'POST', headers, body: pageview() }) },
  notFound: { url: `${worker.url}/no-such-path`, next: () => ({ method: 'GET', headers }) },
}

async function drained(expected, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = await worker.bench('/__bench/counts')
    if (counts.ingest.events >= expected || Date.now() > deadline) return counts
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

// Warm-up: the first request fills the per-isolate site cache, and JIT settles.
const warm = await runLoad(routes.collect.url, routes.collect.next, { connections: 4, durationMs: 1000 })
await runLoad(routes.notFound.url, routes.notFound.next, { connections: 4, durationMs: 1000 })
await drained(warm.statuses[204] ?? 0)
await worker.bench('/__bench/reset')
const [{ n: storedBefore }] = (await worker.db.prepare('SELECT count(*) AS n FROM events').all()).results

const rounds = { collect: [], notFound: [] }
for (let i = 0; i < ROUNDS; i++) {
  for (const name of i % 2 ? ['notFound', 'collect'] : ['collect', 'notFound']) {
    const { url, next } = routes[name]
    rounds[name].push(await runLoad(url, next, { connections: CONNECTIONS, durationMs: ROUND_MS }))
  }
}
const merge = (list) => ({
  requests: list.reduce((n, r) => n + r.requests, 0),
  rps: list.reduce((n, r) => n + r.rps, 0) / list.length,
  p50: list.map((r) => r.p50).sort((a, b) => a - b)[Math.floor(list.length / 2)],
  p99: Math.max(...list.map((r) => r.p99)),
  statuses: list.reduce((all, r) => {
    for (const [s, n] of Object.entries(r.statuses)) all[s] = (all[s] ?? 0) + n
    return all
  }, {}),
})
const collect = merge(rounds.collect)
const notFound = merge(rounds.notFound)
const accepted = collect.statuses[204] ?? 0
const counts = await drained(accepted)
const [{ n: storedAfter }] = (await worker.db.prepare('SELECT count(*) AS n FROM events').all()).results
const stored = storedAfter - storedBefore
await worker.mf.dispose()

const ingest = counts.ingest
const results = {
  connections: CONNECTIONS,
  roundMs: ROUND_MS,
  rounds: ROUNDS,
  collect,
  notFound,
  rpsRatio: ratio(collect.rps, notFound.rps),
  p50Ratio: ratio(collect.p50, notFound.p50),
  accepted,
  stored,
  fetchD1StatementsPerRequest: round(counts.fetch.statements / collect.requests, 4),
  ingest,
  d1StatementsPerEvent: round(ingest.statements / ingest.events, 3),
  eventsPerQueueBatch: round(ingest.events / ingest.batchesDelivered, 1),
}

const row = (name, r) => [name, r.requests, round(r.rps, 0), round(r.p50, 2), round(r.p99, 2), JSON.stringify(r.statuses)]
report({
  title: 'Collector: POST /c throughput and D1 statements per event',
  results,
  markdown: [
    `Miniflare (workerd) on a real HTTP port, ${CONNECTIONS} keep-alive connections, ${ROUNDS} alternating ` +
      `rounds of ${ROUND_MS / 1000} s per route. Each POST /c is a new session's pageview (~0.9 KB). The ` +
      'baseline is the same Worker answering `GET /no-such-path` (404 through the same app: request id, ' +
      'env check, JSON error), so the ratio is the cost of validating and enqueueing a send.',
    table(
      ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'statuses'],
      [row('POST /c', collect), row('GET /no-such-path (404)', notFound)]
    ),
    table(
      ['figure', 'value'],
      [
        ['POST /c req/s ÷ 404 req/s', results.rpsRatio],
        ['POST /c p50 ÷ 404 p50', results.p50Ratio],
        ['D1 statements per POST /c (site read, cached per isolate)', results.fetchD1StatementsPerRequest],
        ['events accepted (204) / stored in D1', `${accepted} / ${stored}`],
        ['queue batches delivered / events per batch', `${ingest.batchesDelivered} / ${results.eventsPerQueueBatch}`],
        ['ingest D1 statements / D1 batch() calls', `${ingest.statements} / ${ingest.batches}`],
        ['**ingest D1 statements per event**', `**${results.d1StatementsPerEvent}**`],
      ]
    ),
  ].join('\n\n'),
})
