// Attribution accuracy: simulated clinic days (bench/lib/clinic-sim.mjs) go through the real path:
// widget payloads → POST /c → ingest queue → D1, bookings into the Medods sandbox → the requests import
// → the matching ladder. Each stored request is compared with the simulator's ground truth.
import { MIX, simulateDays } from './lib/clinic-sim.mjs'
import { loadSandboxModule, sandboxOutbound, setUpClinic } from './lib/clinic.mjs'
import { sendAll } from './lib/load.mjs'
import { report, round, table } from './lib/report.mjs'
import { startWorker } from './lib/worker.mjs'

const LEVELS = (process.env.BENCH_ACCURACY_LEVELS ?? '0.5,1,2,6,15,30').split(',').map(Number)
const RUNGS = ['session_id', 'contact', 'booking_window']
// Each level runs once per setting of the integration's booking-window rung (the default is off).
const WINDOW_RUNG = (process.env.BENCH_ACCURACY_WINDOW_RUNG ?? 'off,on').split(',')
// Other integration settings to try, e.g. '{"windowBeforeMinutes":10}' (the defaults when unset).
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
  const lost = { ambiguousWindow: 0, loneWindowCandidate: 0, noCandidate: 0, wrongSession: 0 }
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
    else if (matched) lost.wrongSession++
    else if (row.candidates >= 2) lost.ambiguousWindow++
    else if (row.candidates === 1) lost.loneWindowCandidate++
    else lost.noCandidate++
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

async function measure(bookingsPerHour, bookingWindowRung) {
  const now = Date.now()
  const sandbox = createMedodsSandbox({ seed: 1, counts: { clients: 0, appointments: 0 } })
  const outbound = sandboxOutbound(sandbox)
  const worker = await startWorker({ outbound: outbound.handler })
  const clinic = await setUpClinic(worker, {
    demoKey: DEMO_KEY,
    campaigns: [{ name: 'Импланты (Директ)', utmSource: 'yandex', utmCampaign: 'implants' }],
    settings: { ...SETTINGS, bookingWindowRung },
  })
  // Quiet clinics get more days, so every level has at least ~120 bookings to score.
  const days = Math.max(MIX.days, Math.ceil(120 / (bookingsPerHour * 12)))
  const mix = { ...MIX, days }
  const seed = Math.round(bookingsPerHour * 10)
  const sim = simulateDays({ seed, bookingsPerHour, siteKey: clinic.siteKey, now, mix })
  fillSandbox(sandbox, sim)

  const headers = { 'user-agent': BROWSER_UA, 'content-type': 'text/plain;charset=UTF-8' }
  const requests = sim.sends.map((body) => ({ method: 'POST', headers, body: JSON.stringify(body) }))
  const statuses = await sendAll(`${worker.url}/c`, requests)
  await drained(worker, statuses[204] ?? 0)

  const job = { kind: 'requests', integrationId: clinic.integrationId, scheduledAt: now }
  await worker.bench('/__bench/import', { method: 'POST', body: JSON.stringify(job) })
  const { results: rows } = await worker.db
    .prepare('SELECT medods_appointment_id, match_method, session_id, candidates FROM requests')
    .all()
  await worker.mf.dispose()
  const kinds = {}
  for (const { kind } of sim.truth.values()) kinds[kind] = (kinds[kind] ?? 0) + 1
  return { bookingsPerHour, bookingWindowRung, days, bookings: sim.bookings, stored: rows.length, sends: sim.sends.length, statuses, kinds, ...score(rows, sim.truth) }
}

const runs = []
for (const rungSetting of WINDOW_RUNG) {
  for (const level of LEVELS) {
    console.log(`accuracy: ${level} bookings per hour, booking-window rung ${rungSetting}`)
    const run = await measure(level, rungSetting)
    console.log(JSON.stringify(run))
    runs.push(run)
  }
}

const pct = (v) => (Number.isFinite(v) ? `${round(v * 100, 1)}%` : '—')
const rung = (r, name) => {
  const { matched, correct } = r.rungs[name]
  return `${correct}/${matched} (${matched ? pct(correct / matched) : '—'})`
}
report({
  title: 'Attribution accuracy: precision and recall per rung',
  results: { mix: MIX, runs },
  markdown: [
    `Seeded simulator (bench/lib/clinic-sim.mjs): clinic days of 08:00–20:00 Moscow (${MIX.days}, or more for quiet levels to reach ~120 bookings), bookings at ` +
      `random moments. Per booking, ${MIX.visitorsPerBooking} visitors who do not book (${pct(MIX.abandonShare)} ` +
      `of them open the booking widget and leave); ${pct(MIX.noSessionShare)} of bookings have no session at all. ` +
      `Every booker with a session opens the booking widget 1–25 min before the booking; ` +
      `${pct(MIX.identifiedShare)} left their phone in a site form first (${pct(MIX.otherPhoneShare)} of them ` +
      `book under another phone), ${pct(MIX.carriedShare)} carry the session id into the booking note, ` +
      `${pct(MIX.returningShare)} came by an ad days before and return directly. Sources: Yandex Direct, VK ads, ` +
      'Yandex/Google organic, a referral, direct. Payloads go through POST /c and the ingest queue; the ' +
      'appointments through the sandbox and the real import. A match is correct when its session is one ' +
      "of the booker's sessions. Cells: correct/matched (precision).",
    table(
      ['window rung', 'bookings/h', 'days', 'bookings', 'with a session', 'session_id', 'contact', 'booking_window', '**precision (all matched)**', '**recall**', 'lost: ambiguous window', 'lost: lone window candidate (rung off, or one-to-one)', 'lost: no candidate', 'lost: wrong session', 'no-session bookings matched (should be default)', 'precision / recall without the window rung'],
      runs.map((r) => [
        r.bookingWindowRung, r.bookingsPerHour, r.days, r.bookings, r.withSession, rung(r, 'session_id'), rung(r, 'contact'), rung(r, 'booking_window'),
        `**${pct(r.precision)}**`, `**${pct(r.recall)}**`, r.lost.ambiguousWindow, r.lost.loneWindowCandidate, r.lost.noCandidate, r.lost.wrongSession,
        `${Object.values(r.falseOnNoSession).reduce((a, b) => a + b, 0)} of ${r.bookings - r.withSession}`,
        `${pct(r.precisionWithoutWindow)} / ${pct(r.recallWithoutWindow)}`,
      ])
    ),
  ].join('\n\n'),
})
