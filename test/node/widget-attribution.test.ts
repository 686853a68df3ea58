import { describe, expect, it } from 'vitest'
import { classify, registrableDomain } from '../../widget/src/attribution'

const HOST = 'www.clinic.ru'
const PAGE = 'https://www.clinic.ru/doctors'

type Case = [name: string, url: string, referrer: string, expected: Record<string, unknown>]

const cases: Case[] = [
  [
    'utm tags, decoded',
    `${PAGE}?utm_source=yandex&utm_medium=cpc&utm_campaign=%D0%B7%D1%83%D0%B1%D1%8B+2025&utm_content=ad%201&utm_term=implant&utm_id=42`,
    'https://www.google.com/',
    {
      type: 'utm',
      source: 'yandex',
      medium: 'cpc',
      campaign: 'зубы 2025',
      content: 'ad 1',
      term: 'implant',
      id: '42',
    },
  ],
  ['utm_id alone', `${PAGE}?utm_id=7`, '', { type: 'utm', source: '', medium: '', id: '7' }],
  [
    'empty utm values are absent',
    `${PAGE}?utm_source=&utm_medium=%20`,
    'https://yandex.ru/',
    { type: 'organic', source: 'yandex', medium: 'organic', campaign: '' },
  ],
  [
    'yclid without utm',
    `${PAGE}?yclid=123`,
    '',
    { type: 'utm', source: 'yandex', medium: 'cpc', clickId: { yclid: '123' } },
  ],
  [
    'gclid without utm',
    `${PAGE}?gclid=Cj0K`,
    '',
    { type: 'utm', source: 'google', medium: 'cpc', clickId: { gclid: 'Cj0K' } },
  ],
  [
    'msclkid without utm',
    `${PAGE}?msclkid=m1`,
    '',
    { type: 'utm', source: 'bing', medium: 'cpc', clickId: { msclkid: 'm1' } },
  ],
  [
    'utm wins over a click id, which is kept',
    `${PAGE}?utm_source=vk&utm_medium=post&gclid=g1`,
    '',
    { type: 'utm', source: 'vk', medium: 'post', clickId: { gclid: 'g1' } },
  ],
  [
    'fbclid is kept raw but sets no source',
    `${PAGE}?fbclid=fb1`,
    'https://l.facebook.com/',
    { type: 'referral', source: 'l.facebook.com', medium: 'referral', clickId: { fbclid: 'fb1' } },
  ],
  [
    'yandex.ru, origin-only',
    PAGE,
    'https://yandex.ru/',
    { type: 'organic', source: 'yandex', medium: 'organic' },
  ],
  ['www.yandex.kz', PAGE, 'https://www.yandex.kz/', { type: 'organic', source: 'yandex' }],
  ['yandex.com.tr', PAGE, 'https://yandex.com.tr/', { type: 'organic', source: 'yandex' }],
  [
    'yandex.by with a query',
    PAGE,
    'https://yandex.by/search/?text=clinic',
    { type: 'organic', source: 'yandex' },
  ],
  ['ya.ru', PAGE, 'https://ya.ru/', { type: 'organic', source: 'yandex' }],
  [
    'google.com',
    PAGE,
    'https://www.google.com/',
    { type: 'organic', source: 'google', medium: 'organic' },
  ],
  ['google.ru', PAGE, 'https://www.google.ru/', { type: 'organic', source: 'google' }],
  ['google.co.uk', PAGE, 'https://www.google.co.uk/', { type: 'organic', source: 'google' }],
  [
    'the Google app',
    PAGE,
    'android-app://com.google.android.googlequicksearchbox/',
    { type: 'organic', source: 'google' },
  ],
  ['bing', PAGE, 'https://www.bing.com/', { type: 'organic', source: 'bing' }],
  ['mail.ru search', PAGE, 'https://go.mail.ru/', { type: 'organic', source: 'mail.ru' }],
  ['rambler', PAGE, 'https://nova.rambler.ru/', { type: 'organic', source: 'rambler' }],
  ['duckduckgo', PAGE, 'https://duckduckgo.com/', { type: 'organic', source: 'duckduckgo' }],
  ['yahoo', PAGE, 'https://search.yahoo.com/', { type: 'organic', source: 'yahoo' }],
  [
    'look-alike notyandex.ru',
    PAGE,
    'https://notyandex.ru/',
    { type: 'referral', source: 'notyandex.ru', medium: 'referral' },
  ],
  [
    'look-alike yandex.ru.evil.com',
    PAGE,
    'https://yandex.ru.evil.com/',
    { type: 'referral', source: 'yandex.ru.evil.com' },
  ],
  [
    'look-alike google.evil.com',
    PAGE,
    'https://google.evil.com/',
    { type: 'referral', source: 'google.evil.com' },
  ],
  [
    'look-alike clinic.ru.evil.com',
    PAGE,
    'https://clinic.ru.evil.com/',
    { type: 'referral', source: 'clinic.ru.evil.com' },
  ],
  [
    'other site, www stripped',
    PAGE,
    'https://www.prodoctorov.ru/moskva/',
    { type: 'referral', source: 'prodoctorov.ru', medium: 'referral' },
  ],
  [
    'own host is internal',
    PAGE,
    'https://www.clinic.ru/prices',
    { type: 'direct', source: '(direct)', medium: '(none)' },
  ],
  ['sibling subdomain is internal', PAGE, 'https://online.clinic.ru/', { type: 'direct' }],
  ['bare domain is internal', PAGE, 'https://clinic.ru/', { type: 'direct' }],
  [
    'no referrer',
    PAGE,
    '',
    { type: 'direct', source: '(direct)', medium: '(none)', campaign: '', content: '', term: '' },
  ],
]

describe('classify', () => {
  for (const [name, url, referrer, expected] of cases) {
    it(name, () => {
      const touch = classify({ url, referrer, host: HOST })
      expect(touch).toMatchObject(expected)
      if (!('clickId' in expected)) expect(touch.clickId).toBeUndefined()
    })
  }

  it('returns every field, empty when absent', () => {
    expect(classify({ url: `${PAGE}?utm_source=a`, referrer: '', host: HOST })).toEqual({
      type: 'utm',
      source: 'a',
      medium: '',
      campaign: '',
      content: '',
      term: '',
      id: '',
    })
  })
})

describe('registrableDomain', () => {
  it.each([
    ['www.clinic.ru', 'clinic.ru'],
    ['a.b.clinic.ru', 'clinic.ru'],
    ['clinic.msk.ru', 'clinic.msk.ru'],
    ['www.clinic.co.uk', 'clinic.co.uk'],
    ['localhost', ''],
    ['127.0.0.1', ''],
    ['[::1]', ''],
  ])('%s → %s', (host, domain) => expect(registrableDomain(host)).toBe(domain))
})
