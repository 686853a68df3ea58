import { describe, expect, it } from 'vitest'
import { sessionIdsIn } from '../../edge/matching'
import { resolveCampaign } from '../../edge/matching/campaigns'
import { normalizeEmail, normalizePhone, sha256Hex } from '../../edge/imports/contacts'

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
