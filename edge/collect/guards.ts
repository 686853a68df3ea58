import { eq } from 'drizzle-orm'
import { isbot } from 'isbot'
import type { Db } from '../db/client'
import { sites } from '../db/schema'

/**
 * Crawlers by user agent (isbot's maintained list), plus headless browsers: old headless Chrome
 * also names itself in the Sec-CH-UA brands. Browsers always send a user agent; scripts may not.
 */
export function isBotRequest(headers: Headers): boolean {
  const ua = headers.get('user-agent') ?? ''
  if (!ua || isbot(ua)) return true
  return /headless/i.test(headers.get('sec-ch-ua') ?? '')
}

const bareHost = (host: string) => host.toLowerCase().replace(/\.$/, '').replace(/^www\./, '')

/** The page must be on the site's domain or a subdomain of it (`www.` ignored on both sides). */
export function hostBelongsTo(pageUrl: string, domain: string): boolean {
  const host = bareHost(new URL(pageUrl).hostname)
  const site = bareHost(domain)
  return host === site || host.endsWith(`.${site}`)
}

export const ipLimitKey = (ip: string) => `ip:${ip}`
export const siteLimitKey = (siteId: string) => `site:${siteId}`

/** Fails open like Plausible's limiter: a broken limiter must not lose a clinic's visits. */
export async function withinLimit(limiter: RateLimit, key: string): Promise<boolean> {
  try {
    return (await limiter.limit({ key })).success
  } catch {
    return true
  }
}

type SiteRef = { id: string; domain: string }
type Cached = { site: SiteRef | null; until: number }

// Per isolate: every pageview would otherwise read D1 for the same few keys. Misses expire sooner,
// so a site created a moment ago starts collecting within seconds.
const HIT_TTL_MS = 60_000
const MISS_TTL_MS = 5_000
const MAX_CACHED = 5_000
const siteCache = new Map<string, Cached>()

export async function siteForKey(db: Db, key: string, now = Date.now()): Promise<SiteRef | null> {
  const cached = siteCache.get(key)
  if (cached && cached.until > now) return cached.site
  const [site] = await db
    .select({ id: sites.id, domain: sites.domain })
    .from(sites)
    .where(eq(sites.siteKey, key))
    .limit(1)
  if (siteCache.size >= MAX_CACHED) siteCache.clear()
  siteCache.set(key, { site: site ?? null, until: now + (site ? HIT_TTL_MS : MISS_TTL_MS) })
  return site ?? null
}
