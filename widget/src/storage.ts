import Cookies from 'js-cookie'
import { registrableDomain } from './attribution'
import type { VisitState } from './session'
import { attempt } from './util'

// Neutral names: filter lists match words like "analytics" or "track".
const VISIT_KEY = '_mb'

/**
 * localStorage JSON that never throws (storage may be disabled, full, or hold junk): reads `key`
 * without a value, writes it with one.
 */
export const stored = <T>(key: string, value?: T): T | void =>
  attempt(() =>
    value ? void (localStorage[key] = JSON.stringify(value)) : JSON.parse(localStorage[key])
  )

/**
 * The ids come from the cookie, which subdomains share; the touches from localStorage, which also
 * stands in for the ids when cookies are cleared or stripped. `document.cookie` can throw in
 * sandboxed frames.
 */
export function loadVisit(): Partial<VisitState> {
  const [v, s, b, x] = (attempt(() => Cookies.get(VISIT_KEY)) || '').split('.')
  return { ...stored<VisitState>(VISIT_KEY), ...(s && { v, s, b: +b!, x: +x! }) }
}

export function saveVisit(visit: VisitState): void {
  stored(VISIT_KEY, visit)
  attempt(() =>
    Cookies.set(VISIT_KEY, [visit.v, visit.s, visit.b, visit.x].join('.'), {
      domain: registrableDomain(location.hostname), // '' (IP, localhost): a host-only cookie
      expires: 400, // Chrome's cap; Safari's ITP cuts script cookies to 7 days anyway
      sameSite: 'Lax',
      secure: location.protocol == 'https:',
    })
  )
}
