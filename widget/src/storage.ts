import Cookies from 'js-cookie'
import type { VisitState } from './session'
import { safe } from './util'

// Neutral names: filter lists match words like "analytics" or "track".
const VISIT_KEY = '_mb'

/** localStorage JSON that never throws (storage may be disabled, full, or hold junk). */
export const readJson = <T>(key: string) =>
  safe((): T | null => JSON.parse(localStorage.getItem(key)!))()

export const writeJson = (key: string, value: unknown) =>
  safe(() => localStorage.setItem(key, JSON.stringify(value)))()

/**
 * The ids come from the cookie, which subdomains share; the touches from localStorage, which also
 * stands in for the ids when cookies are cleared or stripped. `document.cookie` can throw in
 * sandboxed frames.
 */
export function loadVisit(): Partial<VisitState> {
  const [v, s, b, x] = (safe(() => Cookies.get(VISIT_KEY))() || '').split('.')
  return { ...readJson<VisitState>(VISIT_KEY), ...(v && s ? { v, s, b: +b!, x: +x! } : {}) }
}

export function saveVisit(visit: VisitState, domain: string): void {
  writeJson(VISIT_KEY, visit)
  safe(() =>
    Cookies.set(VISIT_KEY, [visit.v, visit.s, visit.b, visit.x].join('.'), {
      domain, // '' (IP, localhost) leaves a host-only cookie
      expires: 400, // Chrome's cap; Safari's ITP cuts script cookies to 7 days anyway
      sameSite: 'Lax',
      secure: location.protocol == 'https:',
    })
  )()
}
