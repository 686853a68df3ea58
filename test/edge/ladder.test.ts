import { describe, expect, it } from 'vitest'
import { matchBooking, sessionIdsIn, type CandidateSession } from '../../edge/imports/ladder'
import { resolveCampaign } from '../../edge/imports/campaigns'
import { normalizeEmail, normalizePhone, sha256Hex } from '../../edge/imports/contacts'

const s = (id: string, startedAt: number, touchType = 'utm'): CandidateSession => ({ id, startedAt, touchType })
const none = { carried: [], byContact: [], inWindow: [] }

describe('the matching ladder', () => {
  it('prefers a carried session id over every other rung', () => {
    const match = matchBooking({ carried: [s('carried', 1)], byContact: [s('c', 2)], inWindow: [s('w', 3)] })
    expect(match).toEqual({ method: 'session_id', candidates: 1, sessionId: 'carried' })
  })

  it('takes the last non-direct session of a contact match, else the last session', () => {
    const byContact = [s('old-utm', 1), s('newer-organic', 5, 'organic'), s('newest-direct', 9, 'direct')]
    expect(matchBooking({ ...none, byContact })).toEqual({
      method: 'contact',
      candidates: 3,
      sessionId: 'newer-organic',
    })
    const allDirect = [s('d1', 1, 'direct'), s('d2', 2, 'direct')]
    expect(matchBooking({ ...none, byContact: allDirect }).sessionId).toBe('d2')
  })

  it('matches the booking window only when exactly one session opened the booking widget', () => {
    expect(matchBooking({ ...none, inWindow: [s('only', 1)] })).toEqual({
      method: 'booking_window',
      candidates: 1,
      sessionId: 'only',
    })
    expect(matchBooking({ ...none, inWindow: [s('a', 1), s('b', 2)] })).toEqual({
      method: 'default',
      candidates: 2,
      sessionId: null,
    })
  })

  it('falls back to the default with no candidates', () => {
    expect(matchBooking(none)).toEqual({ method: 'default', candidates: 0, sessionId: null })
  })
})

describe('session ids carried in booking text', () => {
  it('finds UUIDs in notes and comments, lower-cased and de-duplicated', () => {
    const id = '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B'
    expect(sessionIdsIn(`visit ${id}`, null, `again ${id.toLowerCase()}`)).toEqual([id.toLowerCase()])
    expect(sessionIdsIn('no id here', undefined)).toEqual([])
  })
})

describe('contact normalisation', () => {
  it.each([
    ['79991234567', '79991234567'],
    ['8 (999) 123-45-67', '79991234567'],
    ['+7 999 123 45 67', '79991234567'],
    ['9991234567', '79991234567'],
    ['8 (800) 555-35-35', '78005553535'],
    ['+7 (812) 555-35-35', '78125553535'],
    ['12', null],
    ['', null],
  ])('normalises the phone %s to %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected)
  })

  it('hashes a normalised phone as the widget does (attribution.md §13 vector)', async () => {
    expect(await sha256Hex('79995551111')).toBe(
      '22846ab8f79870871eb44f653419a4a5069301827d8ae75b6c2a88e4989a364e'
    )
  })

  it('trims and lower-cases emails and refuses non-emails', () => {
    expect(normalizeEmail('  Mail@Yandex.RU ')).toBe('mail@yandex.ru')
    expect(normalizeEmail('not an email')).toBeNull()
  })
})

describe('campaign resolution', () => {
  const campaigns = [
    { id: 'catch-all-yandex', utmSource: 'yandex', utmMedium: null, utmCampaign: null },
    { id: 'spring', utmSource: 'yandex', utmMedium: 'cpc', utmCampaign: 'spring' },
    { id: 'no-rules', utmSource: null, utmMedium: null, utmCampaign: null },
  ]

  it('picks the most specific campaign whose every rule holds, ignoring case', () => {
    expect(resolveCampaign(campaigns, { source: 'Yandex', medium: 'cpc', campaign: 'spring' })).toBe('spring')
    expect(resolveCampaign(campaigns, { source: 'yandex', medium: 'cpc', campaign: 'autumn' })).toBe(
      'catch-all-yandex'
    )
  })

  it('matches nothing when no campaign has rules that hold', () => {
    expect(resolveCampaign(campaigns, { source: 'google', medium: 'organic', campaign: '' })).toBeNull()
  })
})

describe('the booking-window rung, one session for one booking', () => {
  it('skips window candidates that already explain another booking', () => {
    const inWindow = [s('explains-another', 1), s('free', 2)]
    expect(matchBooking({ ...none, inWindow, taken: new Set(['explains-another']) })).toEqual({
      method: 'booking_window',
      candidates: 1,
      sessionId: 'free',
    })
    expect(matchBooking({ ...none, inWindow: [s('a', 1)], taken: new Set(['a']) })).toEqual({
      method: 'default',
      candidates: 0,
      sessionId: null,
    })
  })

  it('leaves a lone window candidate unmatched when the rung is off, and keeps the stronger rungs', () => {
    expect(matchBooking({ ...none, inWindow: [s('only', 1)], windowRung: false })).toEqual({
      method: 'default',
      candidates: 1,
      sessionId: null,
    })
    const byContact = [s('contact', 1)]
    expect(matchBooking({ ...none, byContact, windowRung: false, taken: new Set(['contact']) })).toEqual({
      method: 'contact',
      candidates: 1,
      sessionId: 'contact',
    })
  })
})
