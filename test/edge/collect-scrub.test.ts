import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { createVisitsDb } from '../../edge/db/shards'
import { sessions } from '../../edge/db/schema/visits'
import { sessionOf } from '../../edge/db/visits'
import worker from '../../edge/index'
import { attribute } from '../../edge/matching/attribute'
import type { Match, MatchSettings } from '../../edge/matching/types'
import { BROWSER_UA, pageview, payload, siteRows, touch, visitsOf } from './collect-fixtures'
import { BASE } from './helpers'
import { send } from './settings-helpers'
import { requestRow, setUpAccount, type Account } from './support/api-rows'

// The outside test's hostile forms (issue 16, item 9): each must reach D1 as "[redacted]".
const HOSTILE: Record<string, string> = {
  'en dash': '+7 916–123–45–67',
  'figure dash': '8‒916‒123‒45‒67',
  'U+2212 minus': '+7−916−123−45−67',
  slash: '8/916/123/45/67',
  'full-width digits': '８９１６１２３４５６７',
  'Arabic-Indic digits': '٨٩١٦١٢٣٤٥٦٧',
  'Extended Arabic-Indic digits': '۸۹۱۶۱۲۳۴۵۶۷',
  'U+200B in an email': 'ivan\u200B.petrov@mail.ru',
  'U+200C in an email': 'ivan.petrov\u200C@mail.ru',
  'U+200D in an email': 'ivan.petrov@\u200Dmail.ru',
  'U+2060 in an email': 'ivan.petrov@mail\u2060.ru',
  'U+FEFF in an email': '\uFEFFivan.petrov@mail.ru',
  'triple-encoded @': 'ivan.petrov%252540mail.ru',
}
const LEAKS = ['9161234567', 'ivan', 'petrov', '%25', '\u200B']

let clinic: Account
let siteKey = ''
let host = ''

async function collect(body: unknown, ip: string) {
  const sent: unknown[] = []
  const queue = vi.spyOn(env.INGEST, 'send').mockImplementation(async (message) => {
    sent.push(message)
    return undefined as never
  })
  try {
    const res = await exports.default.fetch(`${BASE}/c`, {
      method: 'POST',
      headers: { 'user-agent': BROWSER_UA, 'content-type': 'text/plain', 'cf-connecting-ip': ip },
      body: JSON.stringify(body),
    })
    expect(res.status, await res.text()).toBe(204)
  } finally {
    queue.mockRestore()
  }
  const batch = createMessageBatch(
    'ingest',
    sent.map((message, n) => ({ id: `s${n}`, timestamp: new Date(), attempts: 1, body: message }))
  )
  await worker.queue(batch, env)
  expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toHaveLength(sent.length)
}

/** The session as its shard row stores it, and as it reads back (what the matcher and the API see). */
async function storedSession(id: string) {
  const { d1, key } = await visitsOf(clinic.siteId)
  const [row] = await createVisitsDb(d1)
    .select()
    .from(sessions)
    .where(and(eq(sessions.site, key), eq(sessions.id, id)))
  const [raw] = await siteRows<{ first_touch: string | null; touch_landing_url: string | null }>(
    'sessions',
    clinic.siteId,
    'id = ?',
    id
  )
  return { raw: raw!, row: sessionOf(row!, clinic.siteId) }
}
const eventsOf = (sessionId: string) => siteRows<{ url: string }>('events', clinic.siteId, 'session_id = ?', sessionId)

beforeAll(async () => {
  clinic = await setUpAccount('acc-collect-scrub')
  const site = await env.DB.prepare('SELECT site_key, domain FROM sites WHERE id = ?')
    .bind(clinic.siteId)
    .first<{ site_key: string; domain: string }>()
  siteKey = site!.site_key
  host = site!.domain
})

describe('contacts in unusual forms are scrubbed before D1', () => {
  let n = 0
  for (const [name, contact] of Object.entries(HOSTILE)) {
    it(name, async () => {
      const sent = payload({
        k: siteKey,
        u: `https://${host}/thanks?utm_term=${encodeURIComponent(contact)}&utm_source=yandex`,
        f: touch({ e: contact, l: `https://${host}/p/${contact}?utm_source=yandex` }),
        c: touch({ e: contact, c: `spring ${contact}`, l: `https://${host}/?utm_term=${contact}` }),
        e: [pageview({ u: `https://${host}/#${contact}`, n: `form ${contact}` })],
      })
      await collect(sent, `203.0.113.${++n}`)
      const { raw, row } = await storedSession(sent.s)
      expect(row.term).toBe('[redacted]')
      expect(row.campaign).toBe('spring [redacted]')
      expect(row.firstTouch.term).toBe('[redacted]')
      expect(row.landingUrl).toBe(`https://${host}/thanks?utm_source=yandex`)
      expect(row.touchLandingUrl).toBe(`https://${host}/`)
      // The first touch differs from the current one, so the row keeps it whole, scrubbed as well.
      expect(JSON.parse(raw.first_touch!).term).toBe('[redacted]')
      const stored = JSON.stringify([raw, row, await eventsOf(sent.s)])
      for (const leak of LEAKS) expect(stored).not.toContain(leak)
    })
  }
})

describe('only http(s) URLs are kept', () => {
  it('stores a javascript: or data: landing page or referrer as "", keeps the send, and the API never returns it', async () => {
    const sent = payload({
      k: siteKey,
      u: `https://${host}/`,
      f: touch({ l: 'data:text/html,<script>alert(1)</script>', r: 'vbscript:msgbox(1)' }),
      c: touch({ l: 'javascript:alert(document.cookie)', r: 'data:text/html;base64,PHNjcmlwdD4=' }),
      e: [pageview({ u: ' JavaScript:alert(1)' }), pageview({ u: 'file:///etc/passwd' }), pageview({ u: '/relative' })],
    })
    await collect(sent, '203.0.113.200')
    const { raw, row } = await storedSession(sent.s)
    // Once both URLs are blanked the first touch is the current one, so the row stores it as NULL.
    expect(raw.first_touch).toBeNull()
    expect([row.touchLandingUrl, row.touchReferrer]).toEqual(['', ''])
    expect([row.firstTouch.landingUrl, row.firstTouch.referrer]).toEqual(['', ''])
    expect(row.source).toBe('yandex')
    expect((await eventsOf(sent.s)).map((e) => e.url)).toEqual(['', '', ''])

    // The cabinet's attribution is made from the stored session, as the matcher makes it.
    const match: Match = { method: 'session_id', candidates: 1, sessionId: row.id, reason: null }
    const { attribution } = attribute({ carried: [row], byContact: [], inWindow: [] }, match, [], {} as MatchSettings)
    await requestRow(clinic, Date.now(), crypto.randomUUID(), {
      match_method: 'session_id',
      session_id: row.id,
      attribution: JSON.stringify(attribution),
    }).run()
    const reply = await send(clinic.id, 'GET', '/api/v1/requests')
    expect(reply.status).toBe(200)
    const listed = reply.body.data.find((r: any) => r.sessionId === row.id)
    expect(listed.attribution).toMatchObject({ landingUrl: '', referrer: '', source: 'yandex' })
    expect(reply.text).not.toMatch(/javascript|data:text|vbscript/i)
  })

  it('keeps an ordinary http(s) URL with UTM tags byte for byte', async () => {
    const landing =
      `https://${host}/implants/price?utm_source=yandex&utm_medium=cpc&utm_campaign=spring%202026` +
      '&utm_content=ad-5087654321234567890&utm_term=%D0%B8%D0%BC%D0%BF%D0%BB%D0%B0%D0%BD%D1%82&utm_id=42' +
      '&yclid=5087654321234567890#price'
    const referrer = 'http://yandex.ru/search/?text=%D0%B8%D0%BC%D0%BF%D0%BB%D0%B0%D0%BD%D1%82&lr=213'
    const sent = payload({
      k: siteKey,
      u: landing,
      f: touch({ l: landing, r: referrer, e: 'имплант 2026/03', c: 'spring-2026' }),
      c: touch({ l: landing, r: referrer, e: 'имплант 2026/03', c: 'spring-2026' }),
      e: [pageview({ u: landing })],
    })
    await collect(sent, '203.0.113.201')
    const { raw, row } = await storedSession(sent.s)
    expect([row.landingUrl, row.touchLandingUrl, row.touchReferrer]).toEqual([landing, landing, referrer])
    // Stored once: the touch's landing URL is the session's, and the first touch is the current one.
    expect([raw.touch_landing_url, raw.first_touch]).toEqual([null, null])
    expect([row.firstTouch.landingUrl, row.firstTouch.referrer]).toEqual([landing, referrer])
    expect([row.term, row.campaign]).toEqual(['имплант 2026/03', 'spring-2026'])
    expect((await eventsOf(sent.s)).map((e) => e.url)).toEqual([landing])
  })
})
