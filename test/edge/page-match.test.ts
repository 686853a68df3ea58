import { describe, expect, it } from 'vitest'
import type { Session } from '../../edge/db/schema'
import type { MatchSettings, PageEvidence } from '../../edge/imports/attribution'
import { matchPage, windowSuspects, type PageBooking } from '../../edge/imports/page-match'

const MINUTE = 60_000
const T = Date.UTC(2026, 10, 2, 9)

const session = (id: string): Session => ({
  siteId: 'site',
  id,
  visitorId: `v-${id}`,
  startedAt: new Date(T - 60 * MINUTE),
  lastSeenAt: new Date(T),
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
})

const booking = (id: number, at: number, extra: Partial<PageBooking> = {}): PageBooking => ({
  medodsAppointmentId: id,
  createdAt: new Date(at),
  at: new Date(at),
  medodsClientId: id,
  name: null,
  phone: null,
  email: null,
  doctor: null,
  status: 'need_approval',
  texts: [],
  contactHashes: [],
  carriedIds: [],
  ...extra,
})

const settings = (bookingWindowRung: 'on' | 'off'): MatchSettings => ({
  lookbackDays: 30,
  windowBeforeMinutes: 30,
  windowAfterMinutes: 5,
  defaultCampaignId: 'fallback',
  defaultSourceId: null,
  defaultSiteId: null,
  bookingWindowRung,
})

const opened = (id: string, at: number) => ({ at: new Date(at), session: session(id) })
const evidence = (e: Partial<PageEvidence>): PageEvidence => ({
  carried: [],
  sightings: [],
  opens: [],
  campaigns: [],
  ...e,
})
const summary = (results: ReturnType<typeof matchPage>) =>
  results.map(({ method, candidates, sessionId }) => ({ method, candidates, sessionId }))

describe('matching a page of bookings', () => {
  it('does not give a session that explains one booking by contact to another booking by window', () => {
    // "identified" left the phone of booking 1 and opened the widget; booking 2 came with no session.
    const page = [
      booking(1, T, { contactHashes: ['hash-1'] }),
      booking(2, T + 3 * MINUTE),
    ]
    const found = evidence({
      sightings: [{ hash: 'hash-1', at: new Date(T - 20 * MINUTE), session: session('identified') }],
      opens: [opened('identified', T - 10 * MINUTE)],
    })
    expect(summary(matchPage(page, found, settings('on')))).toEqual([
      { method: 'contact', candidates: 1, sessionId: 'identified' },
      { method: 'default', candidates: 0, sessionId: null },
    ])
  })

  it('does not give a session a stored request of another appointment names, but re-matches its own', () => {
    const page = [booking(7, T)]
    const found = evidence({ opens: [opened('lone', T - 5 * MINUTE)] })
    const elsewhere = { ...found, claims: [{ sessionId: 'lone', medodsAppointmentId: 6 }] }
    expect(summary(matchPage(page, elsewhere, settings('on')))[0]!.method).toBe('default')
    const itself = { ...found, claims: [{ sessionId: 'lone', medodsAppointmentId: 7 }] }
    expect(summary(matchPage(page, itself, settings('on')))[0]).toEqual({
      method: 'booking_window',
      candidates: 1,
      sessionId: 'lone',
    })
  })

  it('matches neither of two bookings whose only window candidate is the same session', () => {
    const page = [booking(1, T), booking(2, T + 10 * MINUTE), booking(3, T + 120 * MINUTE)]
    const found = evidence({
      opens: [opened('shared', T - 5 * MINUTE), opened('later', T + 110 * MINUTE)],
    })
    expect(summary(matchPage(page, found, settings('on')))).toEqual([
      { method: 'default', candidates: 1, sessionId: null },
      { method: 'default', candidates: 1, sessionId: null },
      { method: 'booking_window', candidates: 1, sessionId: 'later' },
    ])
  })

  it('with the rung off, defaults a lone window candidate and keeps the carried and contact rungs', () => {
    const page = [
      booking(1, T, { carriedIds: ['carried'] }),
      booking(2, T + 60 * MINUTE, { contactHashes: ['hash-2'] }),
      booking(3, T + 120 * MINUTE),
    ]
    const found = evidence({
      carried: [session('carried')],
      sightings: [{ hash: 'hash-2', at: new Date(T), session: session('identified') }],
      opens: [opened('lone', T + 110 * MINUTE)],
    })
    const results = matchPage(page, found, settings('off'))
    expect(summary(results)).toEqual([
      { method: 'session_id', candidates: 1, sessionId: 'carried' },
      { method: 'contact', candidates: 1, sessionId: 'identified' },
      { method: 'default', candidates: 1, sessionId: null },
    ])
    expect(results[2]!.campaignId).toBe('fallback')
    expect(windowSuspects(page, found, settings('off'))).toEqual([])
  })

  it('reads stored claims only for the window candidates of bookings the stronger rungs left', () => {
    const page = [booking(1, T, { carriedIds: ['carried'] }), booking(2, T + 60 * MINUTE)]
    const found = evidence({
      carried: [session('carried')],
      opens: [opened('near-1', T - 5 * MINUTE), opened('near-2', T + 50 * MINUTE)],
    })
    expect(windowSuspects(page, found, settings('on'))).toEqual(['near-2'])
  })
})
