// Attribution accuracy: simulated clinic days (bench/lib/clinic-sim.mjs) go through the real path:
// widget payloads → POST /c → ingest queue → D1, bookings into the Medods sandbox → the requests import
// → the matching ladder. Each stored request is compared with the simulator's ground truth.
import { MIX, simulateDays } from './lib/clinic-sim.mjs'
import { loadSandboxModule, sandboxOutbound, setUpClinic } from './lib/clinic.mjs'
import { sendAll } from './lib/load.mjs'
import { report, round, table } from './lib/report.mjs'
import { startWorker } from './lib/worker.mjs'

const LEVELS = (process.env.BENCH_ACCURACY_LEVELS ?? '0.5,1,2,5,15,30').split(',').map(Number)
const NO_SESSION = (process.env.BENCH_ACCURACY_NO_SESSION ?? '0.1,0.25').split(',').map(Number)
const RUNGS = ['session_id', 'contact', 'booking_window']
// Integration settings to try, e.g. '{"windowBeforeMinutes":10}' (the defaults when unset).
const SETTINGS = JSON.parse(process.env.BENCH_ACCURACY_SETTINGS ?? '{}')
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36'
const HOUR = 3_600_000

const { createMedodsSandbox, DEMO_KEY, ONLINE_SOURCE_ID } = await loadSandboxModule()
const moscowIso = (ms) => `${new Date(ms + 3 * HOUR).toISOString().slice(0, 19)}+03:00`

function fillSandbox(sandbox, sim) {
  sandbox.data.clients.push(...sim.clients)
  for (const a of sim.appointments) {
    const visit = moscowIso(a.createdMs + 2 * 24 * HOUR)
    sandbox.data.appointments.push({
      id: a.id, date: visit.slice(0, 10), time: visit.slice(11, 16), duration: 30, status: 'need_approval',
      clinicId: 1, userId: 160, clientId: a.clientId, appointmentSourceId: ONLINE_SOURCE_ID, entryTypeIds: [],
      appointmentType: { id: 1, title: 'Первичный прием' }, orderId: null, note: a.note, clientComment: '',
      createdAt: moscowIso(a.createdMs),
    })
    sandbox.data.updatedAt.set(a.id, a.createdMs)
  }
}

async function drained(worker, expected, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  while ((await worker.bench('/__bench/counts')).ingest.events < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Each request against the truth: correct when the matched session is one of the booker's sessions. */
function score(rows, truth) {
  const rungs = Object.fromEntries(RUNGS.map((r) => [r, { matched: 0, correct: 0 }]))
  // Bookings that had a session but were not tied to it: by the default's reason, or matched wrongly.
  const lost = { wrong_session: 0 }
  const falseOnNoSession = { session_id: 0, contact: 0, booking_window: 0 }
  let withSession = 0
  let correct = 0
  let noSessionDefaulted = 0
  for (const row of rows) {
    const { sessions } = truth.get(row.medods_appointment_id)
    const matched = row.match_method !== 'default'
    const right = matched && sessions.includes(row.session_id)
    if (matched) {
      rungs[row.match_method].matched++
      if (right) rungs[row.match_method].correct++
    }
    if (sessions.length === 0) {
      if (matched) falseOnNoSession[row.match_method]++
      else noSessionDefaulted++
      continue
    }
    withSession++
    if (right) correct++
    else {
      const why = matched ? 'wrong_session' : row.default_reason
      lost[why] = (lost[why] ?? 0) + 1
    }
  }
  const sum = (names, key) => names.reduce((n, r) => n + rungs[r][key], 0)
  const strict = ['session_id', 'contact']
  return {
    rungs, lost, falseOnNoSession, withSession, noSessionDefaulted,
    precision: sum(RUNGS, 'matched') ? sum(RUNGS, 'correct') / sum(RUNGS, 'matched') : NaN,
    recall: withSession ? correct / withSession : NaN,
    // What the first two rungs alone would give: the booking-window rung's share taken out.
    precisionWithoutWindow: sum(strict, 'matched') ? sum(strict, 'correct') / sum(strict, 'matched') : NaN,
    recallWithoutWindow: withSession ? sum(strict, 'correct') / withSession : NaN,
  }
}

async function measure({ bookingsPerHour, noSessionShare, settings = {}, createdAtWithoutOffset = false }) {
  const now = Date.now()
  const sandbox = createMedodsSandbox({ seed: 1, counts: { clients: 0, appointments: 0 }, createdAtWithoutOffset })
  const outbound = sandboxOutbound(sandbox)
  const worker = await startWorker({ outbound: outbound.handler })
  const clinic = await setUpClinic(worker, {
    demoKey: DEMO_KEY,
    campaigns: [{ name: 'Импланты (Директ)', utmSource: 'yandex', utmCampaign: 'implants' }],
    settings: { ...SETTINGS, ...settings },
  })
  // Quiet clinics get more days (up to 28: a first import reads 30 days back), so that every level has
  // ~480 bookings to score where it can (1% is ~4 of them).
  const days = Math.min(28, Math.max(MIX.days, Math.ceil(480 / (bookingsPerHour * 12))))
  const mix = { ...MIX, days, noSessionShare }
  const seed = Math.round(bookingsPerHour * 10 + noSessionShare * 1000)
  const sim = simulateDays({ seed, bookingsPerHour, siteKey: clinic.siteKey, now, mix })
  fillSandbox(sandbox, sim)

  const headers = { 'user-agent': BROWSER_UA, 'content-type': 'text/plain;charset=UTF-8' }
  // Each body is stamped with its browser's clock at the moment it is sent, as the widget does.
  const requests = sim.sends.map(({ body, skew }) => ({
    method: 'POST',
    headers,
    body: () => JSON.stringify({ ...body, w: Date.now() + skew }),
  }))
  const statuses = await sendAll(`${worker.url}/c`, requests)
  await drained(worker, statuses[204] ?? 0)

  const job = { kind: 'requests', integrationId: clinic.integrationId, scheduledAt: now }
  await worker.bench('/__bench/import', { method: 'POST', body: JSON.stringify(job) })
  const { results: rows } = await worker.db
    .prepare('SELECT medods_appointment_id, match_method, session_id, candidates, default_reason FROM requests')
    .all()
  await worker.mf.dispose()
  const kinds = {}
  for (const { kind } of sim.truth.values()) kinds[kind] = (kinds[kind] ?? 0) + 1
  const reasons = {}
  for (const row of rows) if (row.default_reason) reasons[row.default_reason] = (reasons[row.default_reason] ?? 0) + 1
  const variant = [
    settings.bookingWindowRung === 'off' ? 'window rung off' : 'defaults',
    createdAtWithoutOffset ? 'Medods times without offset' : '',
  ].filter(Boolean).join(', ')
  return { variant, bookingsPerHour, noSessionShare, days, bookings: sim.bookings, stored: rows.length, sends: sim.sends.length, statuses, kinds, reasons, ...score(rows, sim.truth) }
}

// Every level at both shares of bookings without a session, with the default settings; then, at 5 an
// hour, Medods times without a UTC offset, and the window rung off for comparison.
const plans = [
  ...NO_SESSION.flatMap((noSessionShare) => LEVELS.map((bookingsPerHour) => ({ bookingsPerHour, noSessionShare }))),
  ...(process.env.BENCH_ACCURACY_VARIANTS === '0'
    ? []
    : [
        { bookingsPerHour: 5, noSessionShare: 0.1, createdAtWithoutOffset: true },
        { bookingsPerHour: 5, noSessionShare: 0.1, settings: { bookingWindowRung: 'off' } },
      ]),
]
const runs = []
for (const plan of plans) {
  console.log(`accuracy: ${JSON.stringify(plan)}`)
  const run = await measure(plan)
  console.log(JSON.stringify(run))
  runs.push(run)
}

const pct = (v) => (Number.isFinite(v) ? `${round(v * 100, 1)}%` : '—')
const rung = (r, name) => {
  const { matched, correct } = r.rungs[name]
  return `${correct}/${matched} (${matched ? pct(correct / matched) : '—'})`
}
const lostOf = (r) =>
  Object.entries(r.lost)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${why} ${n}`)
    .join(', ')
report({
  title: 'Attribution accuracy: precision and recall per rung',
  results: { mix: MIX, runs },
  markdown: [
    `Seeded simulator (bench/lib/clinic-sim.mjs): clinic days of 08:00–20:00 Moscow (${MIX.days}, or more for ` +
      'quiet levels, up to 28, to reach ~480 bookings), bookings at random moments. Per booking, ' +
      `${MIX.visitorsPerBooking} visitors who do not book; ${pct(MIX.abandonShare)} of them open the booking ` +
      `widget and leave after ${MIX.abandonSeconds.join('–')} s (${pct(MIX.abandonerFocusShare)} click into it ` +
      `first). Bookers keep theirs open ${MIX.bookerMinutes.join('–')} min and book inside it, at least 30 s and ` +
      `40–97% of the way in (${pct(MIX.bookerFocusShare)} seen focusing it; ${pct(MIX.earlierPeekShare)} peeked ` +
      `at it minutes before). ${pct(MIX.linkShare)} of openings are links to a new tab (the time away stands for ` +
      `the interval); ${pct(MIX.unloadShare)} of closes come from leaving the page, ${pct(MIX.closeLostShare)} ` +
      `never arrive. Every page of a visit carries the loader's hidden iframe (no event: browser tests ` +
      `cover that). ${pct(MIX.skewedShare)} of browsers run 1–3 min off and stamp their sends with their own ` +
      `clock. ${pct(MIX.identifiedShare)} of bookers left their phone in a site form first ` +
      `(${pct(MIX.otherPhoneShare)} of them book under another phone), ${pct(MIX.carriedShare)} carry the ` +
      `session id into the booking note, ${pct(MIX.returningShare)} came by an ad days before and return ` +
      'directly. Payloads go through POST /c and the ingest queue; the appointments through the sandbox and ' +
      "the real import. A match is correct when its session is one of the booker's sessions. Cells: " +
      'correct/matched (precision).',
    table(
      ['settings', 'no session', 'bookings/h', 'days', 'bookings', 'with a session', 'session_id', 'contact', 'booking_window', '**precision (all matched)**', '**recall**', 'not tied (with a session): why', 'no-session bookings matched (should be default)', 'precision / recall without the window rung'],
      runs.map((r) => [
        r.variant, pct(r.noSessionShare), r.bookingsPerHour, r.days, r.bookings, r.withSession, rung(r, 'session_id'), rung(r, 'contact'), rung(r, 'booking_window'),
        `**${pct(r.precision)}**`, `**${pct(r.recall)}**`, lostOf(r),
        `${Object.values(r.falseOnNoSession).reduce((a, b) => a + b, 0)} of ${r.bookings - r.withSession}`,
        `${pct(r.precisionWithoutWindow)} / ${pct(r.recallWithoutWindow)}`,
      ])
    ),
  ].join('\n\n'),
})
