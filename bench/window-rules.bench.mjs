// The booking-window rule's numbers, chosen here: the simulator's clinic days (bench/lib/clinic-sim.mjs)
// go straight into the pure matching (edge/matching, bundled), with the stored rows rebuilt as the
// collector would store them (times on the true clock: the accuracy bench checks the clock correction
// end to end). Three seeds per level, so each cell scores ~720 bookings; seconds, not minutes.
import { createHash } from 'node:crypto'
import path from 'node:path'
import { build } from 'esbuild'
import { MIX, simulateDays } from './lib/clinic-sim.mjs'
import { report, round, table } from './lib/report.mjs'

const ROOT = path.resolve(import.meta.dirname, '..')
const MIN = 60_000
const LEVELS = [2, 5, 15]
const SEEDS = [1, 2, 3]

const { outputFiles } = await build({
  stdin: {
    contents: "export { matchBookings } from './edge/matching'\nexport { DRAWER_RULE } from './edge/matching/rungs'",
    resolveDir: ROOT,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'error',
})
const { matchBookings, DRAWER_RULE } = await import(
  `data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString('base64')}`
)
const CHOSEN = { ...DRAWER_RULE }
const SETTINGS = {
  lookbackDays: 30, windowBeforeMinutes: 30, windowAfterMinutes: 5, bookingWindowRung: 'on',
  defaultCampaignId: 'default', defaultSourceId: null, defaultSiteId: null,
}
const sha256 = (text) => createHash('sha256').update(text).digest('hex')

/** Sessions, contact sightings and drawers as D1 would hold them after the collector. */
function stored(sends) {
  const sessions = new Map()
  const drawers = new Map()
  const sightings = []
  for (const { body, skew } of sends) {
    const onTime = (a) => new Date(a - skew)
    const session = sessions.get(body.s) ?? {
      siteId: 'site', id: body.s, startedAt: onTime(body.b), lastSeenAt: onTime(body.b), touchType: body.c.t,
      source: body.c.s, medium: body.c.m, campaign: body.c.c, content: '', term: '', utmId: '', clickIds: {},
      touchLandingUrl: body.c.l, touchReferrer: body.c.r, touchAt: onTime(body.c.a),
    }
    sessions.set(body.s, session)
    for (const e of body.e) {
      const at = onTime(e.a)
      if (at > session.lastSeenAt) session.lastSeenAt = at
      for (const hash of e.h ?? []) sightings.push({ hash, at, session })
      const id = e.t === 'booking_open' ? e.i : e.o
      if (!id) continue
      const d = drawers.get(id) ?? { id, sessionId: body.s, kind: null, openedAt: null, focusedAt: null, closedAt: null, visibleMs: null, closedBy: null }
      if (e.t === 'booking_open') Object.assign(d, { kind: e.n === 'iframe' ? 'iframe' : 'link', openedAt: at })
      if (e.t === 'booking_focus') d.focusedAt = at
      if (e.t === 'booking_close') Object.assign(d, { closedAt: at, visibleMs: e.d, closedBy: e.n, openedAt: d.openedAt ?? new Date(at.getTime() - e.d) })
      drawers.set(id, d)
    }
  }
  return { sessions, sightings, drawers: [...drawers.values()].map((d) => ({ drawer: d, session: sessions.get(d.sessionId) })) }
}

/** Precision and recall of the ladder over one simulated clinic, in pages of 100 as the import reads them. */
function score(bookingsPerHour, noSessionShare, seed) {
  const days = Math.max(MIX.days, Math.ceil(240 / (bookingsPerHour * 12)))
  const sim = simulateDays({ seed, bookingsPerHour, siteKey: 'k', now: Date.UTC(2026, 11, 2), mix: { ...MIX, days, noSessionShare } })
  const { sessions, sightings, drawers } = stored(sim.sends)
  const phones = new Map(sim.clients.map((c) => [c.id, c.phone]))
  const appointments = [...sim.appointments].sort((a, b) => a.createdMs - b.createdMs)
  const n = { matched: 0, correct: 0, withSession: 0, found: 0 }
  for (let i = 0; i < appointments.length; i += 100) {
    const page = appointments.slice(i, i + 100)
    const bookings = page.map((a) => ({
      medodsAppointmentId: a.id,
      createdAt: new Date(Math.floor(a.createdMs / 1000) * 1000), // Medods keeps seconds
      at: new Date(a.createdMs),
      carriedIds: [...a.note.matchAll(/[0-9a-f-]{36}/g)].map((m) => m[0]),
      contactHashes: [`p:${sha256(phones.get(a.clientId))}`],
    }))
    const times = bookings.map((b) => b.at.getTime())
    const from = Math.min(...times) - SETTINGS.windowBeforeMinutes * MIN
    const to = Math.max(...times) + SETTINGS.windowAfterMinutes * MIN
    const evidence = {
      carried: bookings.flatMap((b) => b.carriedIds.map((id) => sessions.get(id)).filter(Boolean)),
      sightings,
      drawers: drawers.filter((d) => d.drawer.openedAt >= from && d.drawer.openedAt <= to),
      campaigns: [],
    }
    matchBookings(bookings, evidence, SETTINGS).decide([]).forEach((match, k) => {
      const truth = sim.truth.get(page[k].id).sessions
      const right = match.method !== 'default' && truth.includes(match.sessionId)
      if (match.method !== 'default') n.matched++
      if (right) n.correct++
      if (truth.length) n.withSession++
      if (right && truth.length) n.found++
    })
  }
  return n
}

const VARIANTS = [
  ['chosen', {}],
  ['close tolerance 30 s', { closeToleranceMs: 30_000 }],
  ['opened ≥ 15 s before', { openedBeforeMs: 15_000 }],
  ['opened ≥ 5 s before', { openedBeforeMs: 5_000 }],
  ['unfocused counts after 60 s', { usedVisibleMs: 60_000 }],
  ['focus required (never by time)', { usedVisibleMs: Infinity }],
]
const rows = []
for (const [name, change] of VARIANTS) {
  Object.assign(DRAWER_RULE, CHOSEN, change)
  for (const noSessionShare of [0.1, 0.25]) {
    const cells = LEVELS.map((level) => {
      const sum = { matched: 0, correct: 0, withSession: 0, found: 0 }
      for (const seed of SEEDS) {
        const n = score(level, noSessionShare, Math.round(level * 10) + seed * 1000)
        for (const key in sum) sum[key] += n[key]
      }
      return { level, precision: sum.correct / sum.matched, recall: sum.found / sum.withSession }
    })
    rows.push({ name, change, noSessionShare, cells })
  }
}
Object.assign(DRAWER_RULE, CHOSEN)

const pct = (v) => `${round(v * 100, 1)}%`
report({
  title: 'Booking-window rule: the numbers tried',
  results: { chosen: CHOSEN, rows },
  markdown: [
    `The chosen rule (\`edge/matching/rungs.ts\`): ${JSON.stringify(CHOSEN)}. Each variant changes one number. ` +
      `Cells: precision of all matched requests / recall, over ${SEEDS.length} seeds of the accuracy simulator.`,
    table(
      ['variant', 'no session', ...LEVELS.map((l) => `${l} bookings/h`)],
      rows.map((r) => [r.name, pct(r.noSessionShare), ...r.cells.map((c) => `${pct(c.precision)} / ${pct(c.recall)}`)])
    ),
  ].join('\n\n'),
})
