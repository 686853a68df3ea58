// Import scaling: the real requests import (runImportJob, continuations run in turn) in Miniflare
// against the Medods sandbox holding 1k, 10k and 50k appointments, with ten times as many widget sessions
// spread over two sites of the clinic on the two visits shards. Wall time, Medods requests, D1 statements
// (main database and shards) and rows returned; their growth between sizes.
import { addSites, loadSandboxModule, sandboxOutbound, setUpClinic, spreadSites } from './lib/clinic.mjs'
import { ratio, report, round, table } from './lib/report.mjs'
import { seedContacts, seedSessions, seededSessionId, storedPhoneHash } from './lib/seed-sessions.mjs'
import { startWorker } from './lib/worker.mjs'

const sizes = (name, fallback) => (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number)
/**
 * "by-id": creation times rise with the appointment id, as a CRM numbers records, so a page of 100 covers
 * a few hours. "random": creation times shuffled across ids, so every page spans the whole month, as in a
 * daily run whose updated appointments were created over weeks. The second is run at the smaller sizes.
 */
const PLANS = [
  { order: 'by-id', sizes: sizes('BENCH_IMPORT_SIZES', '1000,10000,50000') },
  { order: 'random', sizes: sizes('BENCH_IMPORT_RANDOM_SIZES', '1000,10000') },
]
const DAY = 86_400_000
const HOUR = 3_600_000

const { createMedodsSandbox, DEMO_KEY } = await loadSandboxModule()

const moscowIso = (ms) => `${new Date(ms + 3 * HOUR).toISOString().slice(0, 19)}+03:00`

/** mulberry32, for the shuffled order and the carried ids: the same run every time. */
function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Creation (and update) times spread evenly over the last 29 days, inside the first run's lookback. */
function redate(sandbox, now, rng, order) {
  const list = sandbox.data.appointments
  const slots = list.map((_, k) => now - 29 * DAY + Math.floor((k * (29 * DAY - 2 * HOUR)) / list.length))
  if (order === 'random') slots.sort(() => rng() - 0.5)
  list.forEach((a, k) => {
    a.createdAt = moscowIso(slots[k])
    sandbox.data.updatedAt.set(a.id, slots[k])
  })
}

async function measure(size, order) {
  const now = Date.now()
  const rng = random(size)
  const sandbox = createMedodsSandbox({ seed: 1, counts: { clients: size / 5, appointments: size } })
  redate(sandbox, now, rng, order)
  const sessions = size * 10
  // Every 25th booking carries a session id in its note (rung 1), as a site form's hidden field would.
  sandbox.data.appointments.forEach((a, k) => {
    if (k % 25 === 0) a.note = `Заявка с сайта, сессия ${seededSessionId(Math.floor(rng() * sessions))}`
  })
  const outbound = sandboxOutbound(sandbox)
  const worker = await startWorker({ outbound: outbound.handler })
  const clinic = await setUpClinic(worker, { demoKey: DEMO_KEY })
  // The integration names no sites, so it matches against all of the account's: one on each shard.
  const sites = await shardSites(worker, [clinic.siteId, ...(await addSites(clinic, 1)).map((s) => s.siteId)])

  const seedStarted = Date.now()
  const span = { fromMs: now - 30 * DAY, toMs: now - HOUR }
  await seedSessions(sites, { count: sessions, ...span })
  const key = worker.bindings.CONTACT_HASH_KEY
  const clients = sandbox.data.clients
  const step = (span.toMs - span.fromMs) / sessions
  const contacts = []
  for (let i = 0; i < sessions; i += 20) {
    const client = clients[(i / 20) % clients.length]
    contacts.push([i, storedPhoneHash(key, client.phone), Math.floor(span.fromMs + i * step)])
  }
  await seedContacts(sites, contacts)
  const seedMs = Date.now() - seedStarted

  const outboundBefore = { ...outbound.stats }
  const job = { kind: 'requests', integrationId: clinic.integrationId, scheduledAt: now }
  const result = await worker.bench('/__bench/import', { method: 'POST', body: JSON.stringify(job) })
  const run = await worker.db.prepare('SELECT * FROM import_runs WHERE id = ?').bind(result.runId).first()
  await worker.mf.dispose()
  const sandboxMs = outbound.stats.ms - outboundBefore.ms
  return {
    appointments: size,
    sessions,
    contactCaptures: contacts.length,
    seedMs,
    status: run.status,
    error: run.error,
    wallMs: result.ms,
    sandboxMs: Math.round(sandboxMs),
    bridgeMs: Math.round(result.ms - sandboxMs),
    slices: result.slices,
    pages: run.pages,
    onlineBookings: run.fetched,
    stored: run.stored,
    matched: {
      sessionId: run.matched_session_id,
      contact: run.matched_contact,
      bookingWindow: run.matched_booking_window,
      defaulted: run.defaulted,
    },
    medodsRequests: run.medods_requests,
    d1Statements: result.d1.statements,
    d1Batches: result.d1.batches,
    d1RowsReturned: result.d1.rowsReturned,
    mainD1: result.d1.main,
    shardD1: result.d1.shards,
    shardSites: sites.map((s) => s.shard),
  }
}

/** The sites spread over the worker's shards, each as `{ db, key }` for the seeding. */
async function shardSites(worker, siteIds) {
  const placed = await spreadSites(worker, siteIds)
  const sites = []
  for (const [k, id] of siteIds.entries()) {
    const { visits_key: key } = await worker.db.prepare('SELECT visits_key FROM sites WHERE id = ?').bind(id).first()
    sites.push({ db: worker.visits[placed[k]], key, shard: placed[k] })
  }
  return sites
}

const sum = (list, key) => list.reduce((n, c) => n + c[key], 0)

const per1k = (run, value) => round((value * 1000) / run.appointments, 1)

const results = []
const sections = []
for (const { order, sizes: list } of PLANS) {
  const runs = []
  for (const size of list) {
    console.log(`import: ${size} appointments, ${size * 10} sessions (${order})`)
    const run = await measure(size, order)
    console.log(JSON.stringify(run))
    runs.push(run)
  }
  if (runs.length === 0) continue
  const growth = growthOf(runs)
  results.push({ order, runs, growth })
  sections.push(render(order, runs, growth))
}

function growthOf(runs) {
  return runs.slice(1).map((run, k) => {
    const prev = runs[k]
    return {
      sizes: `${prev.appointments} → ${run.appointments}`,
      appointments: ratio(run.appointments, prev.appointments),
      wall: ratio(run.wallMs, prev.wallMs),
      bridge: ratio(run.bridgeMs, prev.bridgeMs),
      medodsRequests: ratio(run.medodsRequests, prev.medodsRequests),
      d1Statements: ratio(run.d1Statements, prev.d1Statements),
      d1RowsReturned: ratio(run.d1RowsReturned, prev.d1RowsReturned),
    }
  })
}


function render(order, runs, growth) {
  return [
    `### Creation order: ${order}`,
    table(
      ['appointments', 'sessions', 'status', 'pages', 'online', 'session_id / contact / window / default', 'wall ms', 'sandbox ms', 'bridge ms', 'Medods requests', 'D1 statements', 'D1 rows returned'],
      runs.map((r) => [r.appointments, r.sessions, r.status, r.pages, r.onlineBookings,
        `${r.matched.sessionId} / ${r.matched.contact} / ${r.matched.bookingWindow} / ${r.matched.defaulted}`,
        r.wallMs, r.sandboxMs, r.bridgeMs, r.medodsRequests, r.d1Statements, r.d1RowsReturned])
    ),
    table(
      ['per 1,000 appointments', ...runs.map((r) => r.appointments)],
      [
        ['bridge ms', ...runs.map((r) => per1k(r, r.bridgeMs))],
        ['Medods requests', ...runs.map((r) => per1k(r, r.medodsRequests))],
        ['D1 statements', ...runs.map((r) => per1k(r, r.d1Statements))],
        ['of which main / shards', ...runs.map((r) => `${per1k(r, r.mainD1.statements)} / ${per1k(r, sum(r.shardD1, 'statements'))}`)],
        ['D1 rows returned', ...runs.map((r) => per1k(r, r.d1RowsReturned))],
        ['of which main / shards', ...runs.map((r) => `${per1k(r, r.mainD1.rowsReturned)} / ${per1k(r, sum(r.shardD1, 'rowsReturned'))}`)],
      ]
    ),
    growth.length
      ? table(
          ['growth', 'appointments ×', 'wall ×', 'bridge ×', 'Medods requests ×', 'D1 statements ×', 'D1 rows ×'],
          growth.map((g) => [g.sizes, g.appointments, g.wall, g.bridge, g.medodsRequests, g.d1Statements, g.d1RowsReturned])
        )
      : '',
  ].join('\n\n')
}

report({
  title: 'Import: scaling with appointments and sessions',
  results,
  markdown: [
    'The real requests import (`runImportJob` → `importRequestsSlice`, every continuation run in turn) in ' +
      'Miniflare against the Medods sandbox in the bench process (`createMedodsSandbox({ counts: { clients: ' +
      'n/5, appointments: n } })`, a third of them online bookings), created over the last 29 days. The ' +
      'visits shards hold ten times as many sessions as appointments, seeded in bulk over the same month on ' +
      'two sites of the clinic, one on VISITS_0 and one on VISITS_1 (blocks of 20 consecutive sessions in ' +
      'turn; the integration matches against both): every session a pageview, every 10th a booking-widget ' +
      'opening, every 20th a captured phone; every 25th booking carries a session id. D1 statements and ' +
      'rows are counted on the main database and the shards together, and apart. "Bridge ms" is the wall ' +
      'time minus the time spent inside the sandbox (whose own lookups are linear scans of its arrays, so ' +
      'its share grows faster than the import).',
    ...sections,
  ].join('\n\n'),
})
