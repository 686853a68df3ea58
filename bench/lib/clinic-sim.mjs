// A seeded simulator of clinic days with known ground truth: visitors from several sources send the
// widget's payloads, some identify through a form, some open the booking drawer and leave, bookers book
// inside theirs (the Medods appointment created while it is open), some follow a booking link to a new
// tab, some browsers' clocks are minutes off, and some bookings come with no session at all.
import { createHash } from 'node:crypto'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const MOSCOW = 3 * HOUR
const OPEN_HOURS = [8, 20]

/** The knobs, as shares of bookings or of visitors; documented in BENCHMARKS.md. */
export const MIX = {
  days: 2,
  visitorsPerBooking: 8, // visitors who do not book, per booking
  abandonShare: 0.1875, // of those, the share who open the booking widget and leave: 1.5 per booking
  noSessionShare: 0.1, // bookings with no widget session (aggregator, typed-in link, blocked script)
  carriedShare: 0.05, // bookers whose session id reaches the booking note (a site form's hidden field)
  identifiedShare: 0.35, // bookers who left their phone in a site form before booking
  otherPhoneShare: 0.1, // of those, the share who book under another phone
  returningShare: 0.2, // bookers who came by an ad earlier and return directly to book
  linkShare: 0.1, // openings (bookers' and abandoners') through a link to the booking site, a new tab
  bookerMinutes: [1, 6], // how long a booker's drawer stays open; the booking is made inside it
  abandonSeconds: [5, 90], // how long an abandoner's drawer stays open
  bookerFocusShare: 0.95, // bookers whose focus is seen entering the drawer (a click into the iframe)
  abandonerFocusShare: 0.5, // abandoners who click into the drawer before closing it
  earlierPeekShare: 0.3, // bookers who opened and closed the drawer briefly minutes before booking
  unloadShare: 0.2, // drawers closed by leaving the page (the close is sent on pagehide)
  closeLostShare: 0.05, // drawers whose close never arrives (a killed mobile tab)
  skewedShare: 0.1, // browsers whose clock is 1–3 minutes off, either way
  pages: [1, 4], // page views per visit; each page carries the loader's hidden iframe (no event)
}

const SOURCES = [
  { weight: 4, t: 'utm', s: 'yandex', m: 'cpc', c: 'implants', r: 'https://yandex.ru/' },
  { weight: 2, t: 'utm', s: 'vk', m: 'social', c: 'checkup', r: 'https://vk.com/' },
  { weight: 3, t: 'organic', s: 'yandex', m: 'organic', c: '', r: 'https://yandex.ru/' },
  { weight: 1, t: 'organic', s: 'google', m: 'organic', c: '', r: 'https://www.google.com/' },
  { weight: 1, t: 'referral', s: 'prodoctorov.ru', m: 'referral', c: '', r: 'https://prodoctorov.ru/' },
  { weight: 3, t: 'direct', s: '(direct)', m: '(none)', c: '', r: '' },
]

export function random(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const int = (min, max) => min + Math.floor(next() * (max - min + 1))
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => int(0, 15).toString(16))
    hex[12] = '4'
    hex[16] = '89ab'[int(0, 3)]
    const h = hex.join('')
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }
  const weighted = (items) => {
    let pick = next() * items.reduce((n, i) => n + i.weight, 0)
    return items.find((i) => (pick -= i.weight) < 0) ?? items[0]
  }
  return { next, int, uuid, weighted, chance: (p) => next() < p }
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex')

function touch(source, at) {
  const utm = source.t === 'utm'
  const query = utm ? `?utm_source=${source.s}&utm_medium=${source.m}&utm_campaign=${source.c}` : ''
  return {
    t: source.t, s: source.s, m: source.m, c: source.c, o: '', e: '', i: '',
    k: source.s === 'yandex' && utm ? { yclid: String(at % 1e9) } : {},
    l: `https://clinic.ru/${query}`, r: source.r, a: at,
  }
}

/**
 * One widget session: its POST /c bodies (one per event, as the widget sends) in the browser's clock, and
 * its id. `skew` is the browser's clock error; the bench stamps `w` (send time, same clock) when sending.
 */
function session(rng, siteKey, visitorId, source, start, steps, skew = 0) {
  const id = rng.uuid()
  const first = touch(source, start + skew)
  const payload = (event) => ({
    k: siteKey, v: visitorId, s: id, b: start + skew, u: 'https://clinic.ru/', f: first, c: first,
    e: [{ i: event.i ?? rng.uuid(), u: 'https://clinic.ru/', ...event, a: event.a + skew }],
  })
  const sends = [{ body: payload({ t: 'pageview', a: start }), skew }]
  for (const step of steps) sends.push({ body: payload(step), skew })
  return { id, sends }
}

const seconds = (rng, [from, to]) => Math.round((from + rng.next() * (to - from)) * 1000)

/**
 * The events of one opening of the booking widget at `opened`, open for `openMs`: a link (a moment), or
 * a drawer seen visible, maybe focused, and closed by the visitor or a page unload (or its close lost).
 */
function opening(rng, mix, opened, openMs, focusShare) {
  const open = { i: rng.uuid(), t: 'booking_open', a: opened }
  const link = rng.chance(mix.linkShare)
  const events = [{ ...open, n: link ? 'link' : 'iframe' }]
  // A new tab cannot be focused from the page; the time the page stays hidden stands in for it.
  if (!link && rng.chance(focusShare)) {
    events.push({ t: 'booking_focus', o: open.i, a: opened + Math.min(openMs - 1000, rng.int(2, 20) * 1000) })
  }
  if (!rng.chance(mix.closeLostShare)) {
    // As the widget sends it: n "unload" when the page was hidden or left, else none.
    const n = rng.chance(mix.unloadShare) ? { n: 'unload' } : {}
    events.push({ t: 'booking_close', o: open.i, d: openMs, ...n, a: opened + openMs })
  }
  return { link, events }
}

const pageviews = (rng, mix, start, until) =>
  Array.from({ length: rng.int(...mix.pages) - 1 }, () => ({
    t: 'pageview',
    a: start + Math.floor(rng.next() * Math.max(1, until - start)),
  }))

/** Poisson-ish arrivals: `count` times spread at random over the clinic's opening hours of `days` days. */
function momentsOver(rng, count, dayStarts) {
  const open = (OPEN_HOURS[1] - OPEN_HOURS[0]) * HOUR
  return Array.from({ length: count }, () => {
    const day = dayStarts[rng.int(0, dayStarts.length - 1)]
    return day + OPEN_HOURS[0] * HOUR - MOSCOW + Math.floor(rng.next() * open)
  }).sort((a, b) => a - b)
}

/**
 * Clinic days ending before `now` at `bookingsPerHour`. Answers the widget sends (`{ body, skew }`), the
 * Medods clients and appointments to put in the sandbox, and the truth: each appointment's booker
 * sessions (empty = none).
 */
export function simulateDays({ seed, bookingsPerHour, siteKey, now, mix = MIX }) {
  const rng = random(seed)
  const today = Math.floor((now + MOSCOW) / DAY) * DAY
  const dayStarts = Array.from({ length: mix.days }, (_, i) => today - (i + 1) * DAY)
  const bookings = Math.round(bookingsPerHour * (OPEN_HOURS[1] - OPEN_HOURS[0]) * mix.days)
  const sends = []
  const clients = []
  const appointments = []
  const truth = new Map()
  let nextPhone = 0

  const skewOf = () => (rng.chance(mix.skewedShare) ? (rng.chance(0.5) ? 1 : -1) * rng.int(60, 180) * 1000 : 0)
  for (const at of momentsOver(rng, bookings, dayStarts)) {
    const phone = `79${String(100_000_000 + seed * 7919 + nextPhone++ * 104_729).slice(-9)}`
    const clientId = 1001 + clients.length
    clients.push({ id: clientId, surname: 'Пациентов', name: 'Пациент', secondName: '', phone, email: '' })
    const appointmentId = 5001 + appointments.length
    const sessions = []
    let note = ''
    let kind = 'no_session'
    if (!rng.chance(mix.noSessionShare)) {
      kind = 'window'
      const visitor = rng.uuid()
      const skew = skewOf()
      // The booking is made inside the drawer, at least 30 s after it opened.
      const openMs = seconds(rng, mix.bookerMinutes.map((m) => m * 60))
      const bookedAfter = Math.max(30_000, Math.round(openMs * (0.4 + 0.57 * rng.next())))
      const opened = at - bookedAfter
      const { events } = opening(rng, mix, opened, openMs, mix.bookerFocusShare)
      const start = opened - rng.int(1, 15) * MIN
      const steps = pageviews(rng, mix, start, opened)
      if (rng.chance(mix.earlierPeekShare)) {
        const peek = opened - rng.int(2, 10) * MIN
        steps.push(...opening(rng, mix, Math.max(start + 1000, peek), seconds(rng, [5, 40]), 0.5).events)
      }
      if (rng.chance(mix.identifiedShare)) {
        const otherPhone = rng.chance(mix.otherPhoneShare)
        const formPhone = otherPhone ? `79${String(rng.int(0, 999_999_999)).padStart(9, '0')}` : phone
        steps.push({ t: 'form_submit', a: start + MIN, n: 'callback', h: [`p:${sha256(formPhone)}`] })
        kind = otherPhone ? 'identified_other_phone' : 'identified'
      }
      steps.push(...events)
      if (rng.chance(mix.returningShare)) {
        const earlier = session(rng, siteKey, visitor, SOURCES[0], start - rng.int(1, 5) * DAY, [], skew)
        sends.push(...earlier.sends)
        sessions.push(earlier.id)
      }
      const source = sessions.length ? SOURCES.at(-1) : rng.weighted(SOURCES)
      const own = session(rng, siteKey, visitor, source, start, steps, skew)
      sends.push(...own.sends)
      sessions.push(own.id)
      if (rng.chance(mix.carriedShare)) {
        note = `Заявка с сайта, mb_session_id=${own.id}`
        kind = 'carried'
      }
    }
    appointments.push({ id: appointmentId, clientId, createdMs: at, note })
    truth.set(appointmentId, { kind, sessions })
  }

  // Visitors who do not book; some open the booking widget and leave.
  for (const at of momentsOver(rng, bookings * mix.visitorsPerBooking, dayStarts)) {
    const steps = pageviews(rng, mix, at, at + 10 * MIN)
    if (rng.chance(mix.abandonShare)) {
      const opened = at + rng.int(1, 10) * MIN
      steps.push(...opening(rng, mix, opened, seconds(rng, mix.abandonSeconds), mix.abandonerFocusShare).events)
    }
    sends.push(...session(rng, siteKey, rng.uuid(), rng.weighted(SOURCES), at, steps, skewOf()).sends)
  }
  return { bookings, sends, clients, appointments, truth }
}
