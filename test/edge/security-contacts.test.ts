import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { scrubText, scrubUrl } from '../../edge/collect/scrub'
import worker from '../../edge/index'
import { BROWSER_UA, pageview, payload, seedSite, siteRows, touch } from './collect-fixtures'
import { BASE } from './helpers'

const PHONE_DIGITS = '9161234567'
const EMAIL = 'ivan.petrov@mail.ru'
const PHONES = ['+7 (916) 123-45-67', '89161234567', '%2B7%20916%20123-45-67', '7-916-123-45-67']
const EMAILS = [EMAIL, 'ivan.petrov%40mail.ru', 'IVAN.PETROV@MAIL.RU']

/** A send with a raw phone or email in every string field the wire schema allows. */
function sendWithContacts(i: number) {
  const phone = PHONES[i % PHONES.length]!
  const email = EMAILS[i % EMAILS.length]!
  const leaky = (over = {}) =>
    touch({
      s: email,
      m: phone,
      c: `spring ${phone}`,
      o: `to ${email}`,
      e: phone,
      i: email,
      k: { yclid: '5087654321234567890', [`p7${PHONE_DIGITS}`]: 'x', gclid: phone },
      l: `https://clinic.ru/landing/${email}?utm_source=yandex&phone=${phone}&q=${email}#tel=${phone}`,
      r: `https://yandex.ru/search/?text=${encodeURIComponent(phone)}&lr=213`,
      ...over,
    })
  return payload({
    k: 'key-contacts',
    u: `https://clinic.ru/thanks/${email}?utm_source=yandex&email=${email}&utm_term=${phone}`,
    f: leaky(),
    c: leaky({ t: 'referral' }),
    e: [
      pageview({ n: `Форма ${phone} ${email}`, u: `https://clinic.ru/?contact=${phone}` }),
      pageview({ t: 'form_submit', n: email, u: `https://clinic.ru/#${email}` }),
    ],
  })
}

/** Everything D1 holds, the main database and every visits shard, one JSON text, for searching. */
async function dumpDatabase() {
  const rows = []
  for (const d1 of [env.DB, env.VISITS_0, env.VISITS_1]) {
    const tables = await d1.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'"
    ).all<{ name: string }>()
    for (const { name } of tables.results) rows.push(await d1.prepare(`SELECT * FROM "${name}"`).all())
  }
  return JSON.stringify(rows.map((r) => r.results))
}

/** Raw or percent-encoded, with or without separators: is the phone or the email in there? */
function expectNoContacts(text: string) {
  const decoded = decodeURIComponent(text.replace(/%(?![0-9a-f]{2})/gi, '%25'))
  for (const t of [text, decoded]) {
    expect(t.toLowerCase()).not.toContain('ivan.petrov')
    expect(t.replace(/[\s()+\-.]|%20|%2B|%28|%29/gi, '')).not.toContain(PHONE_DIGITS)
  }
}

beforeAll(() => seedSite('site-contacts', 'key-contacts'))
afterEach(() => vi.restoreAllMocks())

describe('no raw phone or email from the widget is ever stored', () => {
  it('keeps them out of the queue and out of every D1 table, keeping the rest of the attribution', async () => {
    const queued: unknown[] = []
    vi.spyOn(env.INGEST, 'send').mockImplementation(async (body) => {
      queued.push(body)
      return undefined as never
    })
    for (let i = 0; i < 12; i++) {
      const res = await exports.default.fetch(`${BASE}/c`, {
        method: 'POST',
        headers: { 'user-agent': BROWSER_UA, 'content-type': 'text/plain', 'cf-connecting-ip': `198.51.100.${i}` },
        body: JSON.stringify(sendWithContacts(i)),
      })
      expect(res.status, await res.text()).toBe(204)
    }
    expect(queued).toHaveLength(12)
    expectNoContacts(JSON.stringify(queued))

    const batch = createMessageBatch(
      'ingest',
      queued.map((body, n) => ({ id: `c${n}`, timestamp: new Date(), attempts: 1, body }))
    )
    await worker.queue(batch, env)
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toHaveLength(12)

    const dump = await dumpDatabase()
    expectNoContacts(dump)
    // Not vacuous: the sessions are there, in the dump, with what is not a contact.
    const sessions = await siteRows<any>('sessions', 'site-contacts')
    expect(sessions).toHaveLength(12)
    const row = sessions[0]
    expect(dump).toContain(row.id)
    expect(row.landing_url).toMatch(/^https:\/\/clinic\.ru\/thanks\/\[redacted\]\?utm_source=yandex$/)
    expect(JSON.parse(row.click_ids)).toEqual({ yclid: '5087654321234567890', gclid: '[redacted]' })
    expect(row.touch_referrer).toBe('https://yandex.ru/search/?lr=213')
    expect(await siteRows('events', 'site-contacts')).toHaveLength(24)
  })
})

describe('scrubText / scrubUrl', () => {
  it('leave text and URLs without contacts byte for byte as sent', () => {
    for (const text of ['yandex', 'implant price 2026', '(direct)', '123456789', 'ad-5087654321234567890', '']) {
      expect(scrubText(text)).toBe(text)
    }
    const url = 'https://clinic.ru/implants?utm_source=yandex&yclid=5087654321234567890&utm_id=42'
    expect(scrubUrl(url)).toBe(url)
    expect(scrubUrl('https://yandex.ru')).toBe('https://yandex.ru')
  })

  it('redact phones and emails however they are written', () => {
    for (const contact of [...PHONES, ...EMAILS, '+380 44 123 4567', 'анна@почта.рф']) {
      expect(scrubText(`call ${contact} now`)).toMatch(/^call \[redacted\] now$/)
    }
    expect(scrubUrl(`https://clinic.ru/?tel=${PHONES[1]}&mail=x&utm_source=vk`)).toBe('https://clinic.ru/?utm_source=vk')
  })
})
