// Collector: POST /c under concurrent load on two Workers side by side, one with two visits shards and one
// with a single shard, next to the same Worker's 404 for an unknown path, in alternating rounds of the
// same run; then each ingest consumer's D1 statements per stored event, main database and shards apart.
import { addSites, setUpClinic, loadSandboxModule, shardsOf, spreadSites } from './lib/clinic.mjs'
import { runLoad } from './lib/load.mjs'
import { ratio, report, round, table } from './lib/report.mjs'
import { startWorker } from './lib/worker.mjs'

const CONNECTIONS = 16
const ROUND_MS = 4000
const ROUNDS = 3
/** Sites a Worker's sends are spread over, round robin; with two shards, alternately on each. */
const SITES = 4
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36'

const { DEMO_KEY } = await loadSandboxModule()

/** A Worker with `shards` visits shards and SITES sites spread over them. */
async function variant(shards) {
  const worker = await startWorker({ shards })
  const clinic = await setUpClinic(worker, { demoKey: DEMO_KEY })
  const sites = [{ siteId: clinic.siteId, siteKey: clinic.siteKey }, ...(await addSites(clinic, SITES - 1))]
  const ids = sites.map((s) => s.siteId)
  const placedByApi = await shardsOf(worker, ids)
  const placed = await spreadSites(worker, ids)
  return { worker, keys: sites.map((s) => s.siteKey), placedByApi, placed, accepted: 0 }
}

const touch = (at) => ({
  t: 'utm', s: 'yandex', m: 'cpc', c: 'implants', o: '', e: '', i: '', k: { yclid: '777' },
  l: 'https://clinic.ru/?utm_source=yandex&utm_medium=cpc&utm_campaign=implants&yclid=777', r: '', a: at,
})

/** One pageview of a new session, as the widget sends a landing, on the site of key `k`. */
function pageview(k) {
  const at = Date.now()
  return JSON.stringify({
    k, v: crypto.randomUUID(), s: crypto.randomUUID(), b: at, u: 'https://clinic.ru/',
    f: touch(at), c: touch(at), e: [{ i: crypto.randomUUID(), t: 'pageview', a: at, u: 'https://clinic.ru/' }],
  })
}

const headers = { 'user-agent': BROWSER_UA, 'content-type': 'text/plain;charset=UTF-8' }
const collectRoute = (v) => {
  let n = 0
  return { v, url: `${v.worker.url}/c`, next: () => ({ method: 'POST', headers, body: pageview(v.keys[n++ % v.keys.length]) }) }
}

async function drained(worker, expected, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = await worker.bench('/__bench/counts')
    if (counts.ingest.events >= expected || Date.now() > deadline) return counts
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Events stored in all of a Worker's shards. */
async function storedEvents(worker) {
  let n = 0
  for (const shard of worker.visits) n += (await shard.prepare('SELECT count(*) AS n FROM events').first()).n
  return n
}

const two = await variant(2)
const one = await variant(1)
const routes = {
  twoShards: collectRoute(two),
  oneShard: collectRoute(one),
  notFound: { url: `${two.worker.url}/no-such-path`, next: () => ({ method: 'GET', headers }) },
}

// Warm-up: the first requests fill the per-isolate site cache, and JIT settles.
for (const v of [two, one]) {
  const { url, next } = collectRoute(v)
  const warm = await runLoad(url, next, { connections: 4, durationMs: 1000 })
  await drained(v.worker, warm.statuses[204] ?? 0)
  await v.worker.bench('/__bench/reset')
  v.storedBefore = await storedEvents(v.worker)
}
await runLoad(routes.notFound.url, routes.notFound.next, { connections: 4, durationMs: 1000 })

// Each collect round is followed by its consumer's drain, so no Worker's queue work spills into another's round.
const order = ['twoShards', 'oneShard', 'notFound']
const rounds = { twoShards: [], oneShard: [], notFound: [] }
for (let i = 0; i < ROUNDS; i++) {
  for (const name of i % 2 ? [...order].reverse() : order) {
    const { url, next, v } = routes[name]
    const result = await runLoad(url, next, { connections: CONNECTIONS, durationMs: ROUND_MS })
    rounds[name].push(result)
    if (v) await drained(v.worker, (v.accepted += result.statuses[204] ?? 0))
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

/** A variant's figures: its load, what its consumer stored, and the statements per event where they ran. */
async function figures(v, load) {
  const counts = await drained(v.worker, v.accepted)
  const stored = (await storedEvents(v.worker)) - v.storedBefore
  const { ingest } = counts
  const perEvent = (n) => round(n / ingest.events, 3)
  const shardStatements = ingest.shards.reduce((n, s) => n + s.statements, 0)
  return {
    shards: v.worker.visits.length,
    sitesOnShards: v.placed,
    sitesPlacedByApi: v.placedByApi,
    load,
    accepted: v.accepted,
    stored,
    fetchD1StatementsPerRequest: round(counts.fetch.statements / load.requests, 4),
    ingest,
    statementsPerEvent: perEvent(ingest.statements),
    mainStatementsPerEvent: perEvent(ingest.main.statements),
    shardStatementsPerEvent: perEvent(shardStatements),
    shardBatchesPerQueueBatch: round(ingest.shards.reduce((n, s) => n + s.batches, 0) / ingest.batchesDelivered, 2),
    eventsPerQueueBatch: round(ingest.events / ingest.batchesDelivered, 1),
  }
}

const notFound = merge(rounds.notFound)
const results = {
  connections: CONNECTIONS,
  roundMs: ROUND_MS,
  rounds: ROUNDS,
  sites: SITES,
  twoShards: await figures(two, merge(rounds.twoShards)),
  oneShard: await figures(one, merge(rounds.oneShard)),
  notFound,
}
await two.worker.mf.dispose()
await one.worker.mf.dispose()
const [a, b] = [results.twoShards, results.oneShard]
Object.assign(results, {
  twoOverOne: {
    rps: ratio(a.load.rps, b.load.rps),
    p50: ratio(a.load.p50, b.load.p50),
    statementsPerEvent: ratio(a.statementsPerEvent, b.statementsPerEvent),
  },
  rpsOver404: ratio(a.load.rps, notFound.rps),
  p50Over404: ratio(a.load.p50, notFound.p50),
})

const row = (name, r) => [name, r.requests, round(r.rps, 0), round(r.p50, 2), round(r.p99, 2), JSON.stringify(r.statuses)]
const both = (f) => [f(a), f(b)]
report({
  title: 'Collector: POST /c throughput and D1 statements per event, two shards against one',
  results,
  markdown: [
    'Two Workers side by side in Miniflare (workerd), each on a real HTTP port: one with two visits shards ' +
      `(VISITS_0, VISITS_1), one with VISITS_0 only. Each has ${SITES} sites, and its sends go to them in turn ` +
      `(with two shards the sites are on shards ${a.sitesOnShards.join(', ')}). ${CONNECTIONS} keep-alive ` +
      `connections, ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s per route; after each round of ` +
      'POST /c its Worker\'s queue is drained before the next round. Each POST /c is a new session\'s ' +
      'pageview (~0.9 KB). The baseline is the two-shard Worker answering `GET /no-such-path` (404 through ' +
      'the same app: request id, env check, JSON error), so that ratio is the cost of validating and ' +
      'enqueueing a send. The ingest consumer reads the batch\'s placements from the main database (one ' +
      'statement) and writes one `batch()` per shard.',
    table(
      ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'statuses'],
      [row('POST /c, two shards', a.load), row('POST /c, one shard', b.load), row('GET /no-such-path (404)', notFound)]
    ),
    table(
      ['figure', 'two shards', 'one shard', 'two ÷ one'],
      [
        ['POST /c req/s', ...both((f) => round(f.load.rps, 0)), results.twoOverOne.rps],
        ['POST /c p50 ms', ...both((f) => round(f.load.p50, 2)), results.twoOverOne.p50],
        ['D1 statements per POST /c (site read, cached per isolate)', ...both((f) => f.fetchD1StatementsPerRequest), ''],
        ['events accepted (204) / stored in the shards', ...both((f) => `${f.accepted} / ${f.stored}`), ''],
        ['queue batches delivered / events per batch', ...both((f) => `${f.ingest.batchesDelivered} / ${f.eventsPerQueueBatch}`), ''],
        ['shard batch() calls per queue batch', ...both((f) => f.shardBatchesPerQueueBatch), ''],
        ['ingest D1 statements: main / shards (per shard)', ...both((f) =>
          `${f.ingest.main.statements} / ${f.ingest.shards.reduce((n, s) => n + s.statements, 0)} (${f.ingest.shards.map((s) => s.statements).join(' + ')})`), ''],
        ['ingest statements per event: main / shards', ...both((f) => `${f.mainStatementsPerEvent} / ${f.shardStatementsPerEvent}`), ''],
        ['**ingest D1 statements per event (all)**', ...both((f) => `**${f.statementsPerEvent}**`), `**${results.twoOverOne.statementsPerEvent}**`],
      ]
    ),
    table(
      ['figure', 'value'],
      [
        ['POST /c (two shards) req/s ÷ 404 req/s', results.rpsOver404],
        ['POST /c (two shards) p50 ÷ 404 p50', results.p50Over404],
      ]
    ),
  ].join('\n\n'),
})
