import { env } from 'cloudflare:workers'
import type { WireInput as WirePayload } from '../../edge/collect/wire-schema'
import type { WireEvent, WireTouch } from '../../widget/src/wire'

export const T0 = Date.parse('2026-03-02T09:00:00Z')

/** A browser's user agent: the collector drops anything isbot recognises. */
export const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'

export const uuid = () => crypto.randomUUID()

export const touch = (over: Partial<WireTouch> = {}): WireTouch => ({
  t: 'utm',
  s: 'yandex',
  m: 'cpc',
  c: 'implants',
  o: 'ad-1',
  e: 'implant price',
  i: '42',
  k: { yclid: '123456789' },
  l: 'https://clinic.ru/implants?utm_source=yandex&utm_medium=cpc&yclid=123456789',
  r: 'https://yandex.ru/',
  a: T0,
  ...over,
})

export const pageview = (over: Partial<WireEvent> = {}): WireEvent => ({
  i: uuid(),
  t: 'pageview',
  a: T0 + 1000,
  u: 'https://clinic.ru/implants',
  ...over,
})

export const payload = (over: Partial<WirePayload> = {}): WirePayload => ({
  k: 'key-clinic',
  v: uuid(),
  s: uuid(),
  b: T0,
  u: 'https://clinic.ru/implants',
  f: touch(),
  c: touch(),
  e: [pageview()],
  ...over,
})

/** An account with one site, `clinic.ru`, whose public key is `key-clinic` (or the given ones). */
export async function seedSite(siteId = 'site-clinic', key = 'key-clinic', domain = 'clinic.ru') {
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO accounts (id) VALUES ('acc-collect')"),
    env.DB.prepare(
      "INSERT INTO sites (id, account_id, name, domain, site_key) VALUES (?, 'acc-collect', 'Clinic', ?, ?)"
    ).bind(siteId, domain, key),
  ])
}

export async function countRows(table: 'sessions' | 'events' | 'contact_hashes', siteId: string) {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE site_id = ?`)
    .bind(siteId)
    .first<{ n: number }>()
  return row?.n ?? 0
}
