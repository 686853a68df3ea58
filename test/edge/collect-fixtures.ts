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

/**
 * An account with one site, `clinic.ru`, whose public key is `key-clinic` (or the given ones), its visits
 * on shard `shard` (VISITS_0 unless told).
 */
export async function seedSite(siteId = 'site-clinic', key = 'key-clinic', domain = 'clinic.ru', shard = 0) {
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO accounts (id) VALUES ('acc-collect')"),
    env.DB.prepare(
      "INSERT INTO sites (id, account_id, name, domain, site_key, shard) VALUES (?, 'acc-collect', 'Clinic', ?, ?, ?)"
    ).bind(siteId, domain, key, shard),
  ])
}

/** Where a site's visits are: its shard's D1 and its visits key, for tests that read the rows. */
export async function visitsOf(siteId: string): Promise<{ d1: D1Database; key: number }> {
  const site = await env.DB.prepare('SELECT shard, visits_key AS key FROM sites WHERE id = ?')
    .bind(siteId)
    .first<{ shard: number; key: number }>()
  if (!site) throw new Error(`no site ${siteId}`)
  const d1 = (env as unknown as Record<string, D1Database>)[`VISITS_${site.shard}`]!
  return { d1, key: site.key }
}

/** The rows of a visits table for a site, `where` and its values after the site's own condition. */
export async function siteRows<T = Record<string, unknown>>(
  table: 'sessions' | 'events' | 'contact_hashes' | 'booking_drawers',
  siteId: string,
  where = '',
  ...values: unknown[]
): Promise<T[]> {
  const { d1, key } = await visitsOf(siteId)
  const sql = `SELECT * FROM ${table} WHERE site = ?${where ? ` AND ${where}` : ''}`
  return (await d1.prepare(sql).bind(key, ...values).all<T>()).results
}

export async function countRows(table: 'sessions' | 'events' | 'contact_hashes', siteId: string) {
  return (await siteRows(table, siteId)).length
}
