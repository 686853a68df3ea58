import { describe, expect, it } from 'vitest'
import type { BookingDrawer, Session } from '../../edge/db/schema'
import type { DrawerSighting } from '../../edge/db/visits'
import { matchBookings, type Booking, type Evidence, type MatchSettings } from '../../edge/matching'

const SECOND = 1000
const MINUTE = 60 * SECOND
const T = Date.UTC(2026, 10, 2, 9)

const session = (id: string, over: Partial<Session> = {}): Session => ({
  siteId: 'site',
  id,
  visitorId: `v-${id}`,
  startedAt: new Date(T - 60 * MINUTE),
  lastSeenAt: new Date(T - 30 * MINUTE),
  landingUrl: 'https://clinic.ru/',
  firstTouch: {} as Session['firstTouch'],
  touchType: 'utm',
  source: 'yandex',
  medium: 'cpc',
  campaign: 'implants',
  content: '',
  term: '',
  utmId: '',
  clickIds: {},
  touchLandingUrl: 'https://clinic.ru/',
  touchReferrer: '',
  touchAt: new Date(T - 60 * MINUTE),
  ...over,
})

const booking = (id: number, at: number, over: Partial<Booking> = {}): Booking => ({
  medodsAppointmentId: id,
  createdAt: new Date(at),
  at: new Date(at),
  contactHashes: [],
  carriedIds: [],
  ...over,
})

const settings = (bookingWindowRung: 'on' | 'off' = 'on'): MatchSettings => ({
  lookbackDays: 30,
  windowBeforeMinutes: 30,
  windowAfterMinutes: 5,
  defaultCampaignId: 'fallback',
  defaultSourceId: null,
  defaultSiteId: null,
  bookingWindowRung,
})

/** A drawer of `id`'s session, open from `from` to `to` (null: its close never arrived). */
const drawer = (
  id: string,
  from: number,
  to: number | null,
  over: Partial<BookingDrawer> = {},
  sessionOver: Partial<Session> = {}
): DrawerSighting => ({
  drawer: {
    site: 1,
    id: `open-${id}-${from}`,
    sessionId: id,
    kind: 'iframe',
    openedAt: new Date(from),
    focusedAt: new Date(from + 10 * SECOND),
    closedAt: to === null ? null : new Date(to),
    visibleMs: to === null ? null : to - from,
    closedBy: to === null ? null : 'hide',
    ...over,
  },
  session: session(id, sessionOver),
})

const link = (id: string, at: number) =>
  drawer(id, at, null, { kind: 'link', focusedAt: null })

const evidence = (e: Partial<Evidence>): Omit<Evidence, 'claims'> => ({
  carried: [],
  sightings: [],
  drawers: [],
  campaigns: [],
  ...e,
})

const run = (
  bookings: Booking[],
  found: Omit<Evidence, 'claims'>,
  options: { rung?: 'on' | 'off'; claims?: Evidence['claims'] } = {}
) =>
  matchBookings(bookings, found, settings(options.rung))
    .decide(options.claims ?? [])
    .map(({ method, candidates, sessionId, reason }) => ({ method, candidates, sessionId, reason }))

const window = (sessionId: string) => ({ method: 'booking_window', candidates: 1, sessionId, reason: null })
const defaulted = (reason: string, candidates = 0) => ({ method: 'default', candidates, sessionId: null, reason })

describe('the ladder for one booking', () => {
  it('prefers a carried session id, then a contact, then the booking window', () => {
    const found = evidence({
      carried: [session('carried')],
      sightings: [{ hash: 'h', at: new Date(T - MINUTE), session: session('contact') }],
      drawers: [drawer('window', T - 3 * MINUTE, T + 10 * SECOND)],
    })
    const all = { carriedIds: ['carried'], contactHashes: ['h'] }
    expect(run([booking(1, T, all)], found)[0]).toMatchObject({ method: 'session_id', sessionId: 'carried' })
    expect(run([booking(1, T, { contactHashes: ['h'] })], found)[0]).toMatchObject({
      method: 'contact',
      sessionId: 'contact',
    })
    expect(run([booking(1, T)], found)[0]).toEqual(window('window'))
  })

  it('takes the last non-direct session that captured the contact, else the last one', () => {
    const sighting = (id: string, startedAt: number, touchType: Session['touchType']) => ({
      hash: 'h',
      at: new Date(T - MINUTE),
      session: session(id, { startedAt: new Date(startedAt), touchType }),
    })
    const mixed = evidence({
      sightings: [sighting('old-utm', T - 9 * MINUTE, 'utm'), sighting('organic', T - 5 * MINUTE, 'organic'), sighting('direct', T - 2 * MINUTE, 'direct')],
    })
    expect(run([booking(1, T, { contactHashes: ['h'] })], mixed)[0]).toMatchObject({ sessionId: 'organic', candidates: 3 })
    const direct = evidence({ sightings: [sighting('d1', T - 9 * MINUTE, 'direct'), sighting('d2', T - 5 * MINUTE, 'direct')] })
    expect(run([booking(1, T, { contactHashes: ['h'] })], direct)[0]).toMatchObject({ sessionId: 'd2' })
  })

  it('accepts a contact sighting up to 2 minutes after the booking was created, not later', () => {
    const at = (ms: number) => evidence({ sightings: [{ hash: 'h', at: new Date(ms), session: session('s') }] })
    const b = [booking(1, T, { contactHashes: ['h'] })]
    expect(run(b, at(T + 110 * SECOND))[0]!.method).toBe('contact')
    expect(run(b, at(T + 130 * SECOND))[0]).toEqual(defaulted('no_visit_signal'))
  })
})

describe('the booking-window rung: a drawer open and used at the creation', () => {
  const one = (d: DrawerSighting) => run([booking(1, T)], evidence({ drawers: [d] }))[0]

  it('matches a focused drawer opened before the booking and closed after it', () => {
    expect(one(drawer('s', T - 2 * MINUTE, T + 5 * SECOND))).toEqual(window('s'))
    // Closed a little before the creation: Medods saved the booking, clocks differ by seconds.
    expect(one(drawer('s', T - 2 * MINUTE, T - 3 * SECOND))).toEqual(window('s'))
  })

  it('refuses a drawer closed before the booking, or opened just before or after it', () => {
    expect(one(drawer('s', T - 3 * MINUTE, T - 45 * SECOND))).toEqual(defaulted('no_visit_signal'))
    expect(one(drawer('s', T - 10 * SECOND, T + 2 * MINUTE))).toEqual(defaulted('no_visit_signal'))
    expect(one(drawer('s', T + MINUTE, T + 3 * MINUTE))).toEqual(defaulted('no_visit_signal'))
  })

  it('counts a drawer that never took focus only when it stayed visible long enough to book in', () => {
    const unfocused = { focusedAt: null }
    expect(one(drawer('s', T - 40 * SECOND, T + 5 * SECOND, unfocused))).toEqual(defaulted('no_visit_signal'))
    expect(one(drawer('s', T - 2 * MINUTE, T + 5 * SECOND, unfocused))).toEqual(window('s'))
    // Focus after the booking is not what made it.
    expect(one(drawer('s', T - 40 * SECOND, T + 20 * SECOND, { focusedAt: new Date(T + 10 * SECOND) }))).toEqual(
      defaulted('no_visit_signal')
    )
  })

  it('takes a drawer whose close never arrived as open until the session was last seen', () => {
    const seen = (ms: number) => ({ lastSeenAt: new Date(ms) })
    expect(one(drawer('s', T - 2 * MINUTE, null, {}, seen(T + MINUTE)))).toEqual(window('s'))
    expect(one(drawer('s', T - 5 * MINUTE, null, {}, seen(T - 4 * MINUTE)))).toEqual(defaulted('no_visit_signal'))
  })

  it('keeps the time window for a followed booking link (a new tab the page cannot see)', () => {
    expect(one(link('s', T - 25 * MINUTE))).toEqual(window('s'))
    expect(one(link('s', T + 4 * MINUTE))).toEqual(window('s'))
    expect(one(link('s', T - 31 * MINUTE))).toEqual(defaulted('no_visit_signal'))
  })

  it('needs Medods’ creation time', () => {
    const unknown = booking(1, T, { createdAt: null })
    expect(run([unknown], evidence({ drawers: [drawer('s', T - 2 * MINUTE, T + 5 * SECOND)] }))[0]).toEqual(
      defaulted('no_created_at')
    )
  })
})

describe('one session explains one booking, across the page', () => {
  it('ties a booking to a drawer only when each is the other’s only candidate', () => {
    const page = [booking(1, T), booking(2, T + 3 * MINUTE)]
    const apart = evidence({
      drawers: [drawer('a', T - 3 * MINUTE, T + 10 * SECOND), drawer('b', T + MINUTE, T + 3 * MINUTE + 10 * SECOND)],
    })
    expect(run(page, apart)).toEqual([window('a'), window('b')])
    // "b" is still inside its drawer when booking 1 is made: which of the two it made is not known, and
    // booking 1 could be a booking without a session at all. Neither is guessed.
    const overlapping = evidence({
      drawers: [drawer('a', T - 3 * MINUTE, T + 10 * SECOND), drawer('b', T - MINUTE, T + 3 * MINUTE + 10 * SECOND)],
    })
    expect(run(page, overlapping)).toEqual([defaulted('ambiguous', 2), defaulted('ambiguous', 1)])
  })

  it('treats a link followed to a new tab as open until the visitor returned', () => {
    const away = (from: number, to: number) =>
      drawer('s', from, to, { kind: 'link', focusedAt: null, closedBy: 'hide' })
    const one = (d: DrawerSighting) => run([booking(1, T)], evidence({ drawers: [d] }))[0]
    expect(one(away(T - 4 * MINUTE, T + 20 * SECOND))).toEqual(window('s'))
    // Back on the clinic's page before the booking was made: not the booker.
    expect(one(away(T - 4 * MINUTE, T - 30 * SECOND))).toEqual(defaulted('no_visit_signal'))
    // The page left a second after the click: the link took this tab, so only the time window tells.
    const sameTab = drawer('s', T - 20 * MINUTE, T - 20 * MINUTE + 800, { kind: 'link', focusedAt: null, closedBy: 'unload' })
    expect(one(sameTab)).toEqual(window('s'))
  })

  it('matches neither of two bookings whose single candidate is the same session, and says why', () => {
    const page = [booking(1, T), booking(2, T + MINUTE), booking(3, T + 2 * MINUTE)]
    const found = evidence({
      drawers: [drawer('shared', T - 3 * MINUTE, T + 80 * SECOND), drawer('x', T + MINUTE, T + 3 * MINUTE)],
    })
    expect(run(page, found)).toEqual([defaulted('ambiguous', 1), defaulted('ambiguous', 1), window('x')])
  })

  it('leaves a booking ambiguous while two used drawers were open at its creation', () => {
    const found = evidence({
      drawers: [drawer('a', T - 3 * MINUTE, T + MINUTE), drawer('b', T - 2 * MINUTE, T + 2 * MINUTE)],
    })
    expect(run([booking(1, T)], found)).toEqual([defaulted('ambiguous', 2)])
  })

  it('gives no window match to a session a stronger rung or a stored request already explains', () => {
    const page = [booking(1, T, { contactHashes: ['h'] }), booking(2, T + MINUTE)]
    const found = evidence({
      sightings: [{ hash: 'h', at: new Date(T - 20 * MINUTE), session: session('identified') }],
      drawers: [drawer('identified', T - 3 * MINUTE, T + 2 * MINUTE)],
    })
    expect(run(page, found)[1]).toEqual(defaulted('visit_taken'))
    const lone = evidence({ drawers: [drawer('lone', T - 3 * MINUTE, T + 10 * SECOND)] })
    expect(run([booking(7, T)], lone, { claims: [{ sessionId: 'lone', medodsAppointmentId: 6 }] })).toEqual([
      defaulted('visit_taken'),
    ])
    expect(run([booking(7, T)], lone, { claims: [{ sessionId: 'lone', medodsAppointmentId: 7 }] })).toEqual([
      window('lone'),
    ])
  })

  it('with the rung off, defaults a window candidate (rung_off) and keeps the other rungs', () => {
    const page = [booking(1, T, { carriedIds: ['carried'] }), booking(2, T + 60 * MINUTE)]
    const found = evidence({
      carried: [session('carried')],
      drawers: [drawer('lone', T + 57 * MINUTE, T + 61 * MINUTE)],
    })
    expect(run(page, found, { rung: 'off' })).toEqual([
      { method: 'session_id', candidates: 1, sessionId: 'carried', reason: null },
      defaulted('rung_off', 1),
    ])
    const { suspects, decide } = matchBookings(page, found, settings('off'))
    expect(suspects).toEqual([])
    expect(decide([])[1]!.campaignId).toBe('fallback')
  })

  it('reads stored claims only for the window candidates of bookings the stronger rungs left', () => {
    const page = [booking(1, T, { carriedIds: ['carried'] }), booking(2, T + 60 * MINUTE)]
    const found = evidence({
      carried: [session('carried')],
      drawers: [drawer('near-1', T - 3 * MINUTE, T + MINUTE), drawer('near-2', T + 57 * MINUTE, T + 61 * MINUTE)],
    })
    expect(matchBookings(page, found, settings()).suspects).toEqual(['near-2'])
  })
})
