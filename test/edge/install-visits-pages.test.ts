import { describe, expect, it } from 'vitest'
import { siteRows } from './collect-fixtures'
import { call, cookieFor } from './helpers'
import { send } from './settings-helpers'
import { sha256Hex, visit } from './support/import-fixtures'

const DAY_MS = 86_400_000
/** The Moscow calendar day of an instant, as the date filters read it. */
const moscowDay = (ms: number) => new Date(ms + 3 * 3_600_000).toISOString().slice(0, 10)

async function newSite(account: string, domain = 'clinic.ru') {
  const site = await send(account, 'POST', '/api/v1/sites', { name: 'Клиника', domain })
  if (site.status !== 201) throw new Error(`site not created: ${site.text}`)
  return site.body as { id: string; siteKey: string }
}

async function page(account: string, path: string) {
  const cookie = await cookieFor(account)
  const res = await call(path, { headers: { cookie }, redirect: 'manual' })
  return { status: res.status, html: await res.text() }
}

const textOf = (html: string, id: string) =>
  new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)?.[1]?.replace(/<[^>]+>/g, '').trim()

/** The rows of the visits table by session id, each as its cells' text. */
function visitRows(html: string) {
  const rows = new Map<string, string[]>()
  for (const [, id, cells] of html.matchAll(/<tr data-session="([^"]+)">([\s\S]*?)<\/tr>/g)) {
    rows.set(id!, [...cells!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!))
  }
  return rows
}

describe('Установка: a site page', () => {
  it('waits for the first visit, then says working with the last hit and the last 24 hours', async () => {
    const site = await newSite('acct-install')
    const waiting = await page('acct-install', `/app/sites/${site.id}`)
    expect(waiting.status).toBe(200)
    expect(textOf(waiting.html, 'site-state')).toBe('Виджет на сайте: ждём первого визита')
    expect(textOf(waiting.html, 'last-hit')).toBe('—')
    const script = `<script async src="http://bridge.test/w.js" data-site="${site.siteKey}"></script>`
    expect(textOf(waiting.html, 'install-script')).toBe(
      script.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    )
    expect(waiting.html).toContain('data-copy="install-script"')
    const list = await page('acct-install', '/app/sites')
    expect(list.html).toContain(`href="/app/sites/${site.id}"`)
    expect(list.html).toContain('ждём первого визита')

    const at = Date.now() - 60_000
    await visit(site.id, at, [{ t: 'booking_open', a: at + 5_000, n: 'iframe' }])
    const working = await page('acct-install', `/app/sites/${site.id}`)
    expect(textOf(working.html, 'site-state')).toBe('Виджет на сайте: работает')
    expect(textOf(working.html, 'last-hit')).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/)
    expect(textOf(working.html, 'visits-24h')).toBe('1')
    expect(textOf(working.html, 'openings-24h')).toBe('1')
    expect((await page('acct-install', '/app/sites')).html).toContain('работает')
  })

  it('says how many days a site has been quiet after a week without a hit', async () => {
    const site = await newSite('acct-quiet')
    await visit(site.id, Date.now() - 9 * DAY_MS, [])
    const quiet = await page('acct-quiet', `/app/sites/${site.id}`)
    expect(textOf(quiet.html, 'site-state')).toBe('Виджет на сайте: нет визитов 9 дней')
    expect(textOf(quiet.html, 'visits-24h')).toBe('0')
  })

  it('links the integration page to the installation page of its site', async () => {
    const site = await newSite('acct-link')
    const integration = await send('acct-link', 'POST', '/api/v1/integrations', {
      uid: 'https://beta45.medods.ru/',
      identity: 'id',
      secretKey: 'secret-key-0123456789',
    })
    const html = (await page('acct-link', `/app/integrations/${integration.body.id}`)).html
    expect(html).toContain(`href="/app/sites/${site.id}"`)
  })

  it("answers 404 for another account's site and for an unknown one", async () => {
    const site = await newSite('acct-owner-site')
    await visit(site.id, Date.now(), [])
    const foreign = await page('acct-stranger', `/app/sites/${site.id}`)
    expect(foreign.status).toBe(404)
    expect(foreign.html).toContain('Не найдено')
    expect(foreign.html).not.toContain(site.siteKey)
    expect((await page('acct-stranger', '/app/sites/no-such-site')).status).toBe(404)
    expect((await page('acct-stranger', '/app/sites')).html).not.toContain(site.id)
  })

  it('sends a person without a session to sign-in', async () => {
    for (const path of ['/app/sites', '/app/visits']) {
      const res = await call(path, { redirect: 'manual' })
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toMatch(/^\/app\/sign-in\b/)
    }
  })
})

describe('Сырые данные → Визиты', () => {
  it('lists a visit with its tags, landing page, pages seen, openings and only whether a contact came', async () => {
    const site = await newSite('acct-visits')
    const phone = '79161234567'
    const wireHash = `p:${await sha256Hex(phone)}`
    const at = Date.now() - 120_000
    const withContact = await visit(site.id, at, [
      { t: 'pageview', a: at + 10_000, u: 'https://clinic.ru/prices' },
      { t: 'booking_open', a: at + 20_000, n: 'iframe' },
      { t: 'identify', a: at + 30_000, h: [wireHash] },
    ])
    const plain = await visit(site.id, at + 60_000, [], {
      t: 'organic',
      s: 'google',
      m: 'organic',
      c: '',
      k: {},
    })
    const { html, status } = await page('acct-visits', '/app/visits')
    expect(status).toBe(200)
    const rows = visitRows(html)
    expect([...rows.keys()]).toEqual([plain, withContact])
    const [started, siteName, utm, landing, pages, openings, contact] = rows.get(withContact)!
    expect(started).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/)
    expect(siteName).toBe('Клиника')
    expect(utm).toBe('yandex / cpc / implants')
    expect(landing).toBe('https://clinic.ru/')
    expect([pages, openings, contact]).toEqual(['2', '1', 'да'])
    expect(rows.get(plain)!.slice(2)).toEqual([
      'google / organic / —',
      'https://clinic.ru/',
      '1',
      '0',
      'нет',
    ])

    const results = await siteRows<{ hash: string }>('contact_hashes', site.id, 'session_id = ?', withContact)
    expect(results).toHaveLength(1)
    for (const secret of [phone, wireHash, wireHash.slice(2), results[0]!.hash]) {
      expect(html).not.toContain(secret)
    }
  })

  it('filters by start day in Moscow time and by source, and keeps the source in the form', async () => {
    const site = await newSite('acct-filters')
    const now = Date.now()
    const today = await visit(site.id, now - 60_000, [])
    const old = await visit(site.id, now - 3 * DAY_MS, [], { s: 'google', m: 'cpc', c: 'brand' })
    const ids = async (query: string) =>
      [...visitRows((await page('acct-filters', `/app/visits?${query}`)).html).keys()]

    expect(await ids(`from=${moscowDay(now - 60_000)}`)).toEqual([today])
    expect(await ids(`to=${moscowDay(now - 2 * DAY_MS)}`)).toEqual([old])
    expect(await ids(`from=${moscowDay(now - 3 * DAY_MS)}&to=${moscowDay(now)}`)).toEqual([
      today,
      old,
    ])
    expect(await ids('source=google')).toEqual([old])
    expect(await ids(`source=yandex&to=${moscowDay(now - 2 * DAY_MS)}`)).toEqual([])

    const filtered = await page('acct-filters', '/app/visits?source=google')
    expect(filtered.html).toContain('id="source" name="source" value="google"')
    const none = await page('acct-filters', '/app/visits?source=bing')
    expect(none.html).toContain('Визитов с такими условиями нет')
  })

  it('pages through 50 at a time, newest first, with no row twice and the filter kept', async () => {
    const site = await newSite('acct-paging')
    const start = Date.now() - 3_600_000
    const made: string[] = []
    for (let i = 0; i < 53; i++) made.push(await visit(site.id, start + i * 1000, []))
    const first = await page('acct-paging', '/app/visits?source=yandex')
    const firstIds = [...visitRows(first.html).keys()]
    expect(firstIds).toEqual(made.slice(-50).reverse())
    const next = /<a href="([^"]+)" rel="next">/.exec(first.html)![1]!.replace(/&amp;/g, '&')
    expect(next).toContain('source=yandex')
    const secondIds = [...visitRows((await page('acct-paging', next)).html).keys()]
    expect(secondIds).toEqual(made.slice(0, 3).reverse())
  })

  it('says what to do when there are no visits, names a wrong date, and shows another account none', async () => {
    const site = await newSite('acct-private')
    await visit(site.id, Date.now(), [])
    const stranger = await page('acct-nobody', '/app/visits')
    expect(stranger.status).toBe(200)
    expect(visitRows(stranger.html).size).toBe(0)
    expect(stranger.html).toContain('Визитов пока нет')
    expect(stranger.html).toContain('href="/app/sites"')
    const wrong = await page('acct-private', '/app/visits?from=2026-13-40')
    expect(textOf(wrong.html, 'from-error')).toBe('Дата в формате ГГГГ-ММ-ДД')
    expect(visitRows(wrong.html).size).toBe(0)
  })
})
