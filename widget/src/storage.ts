import Cookies from 'js-cookie'
import type { VisitState } from './session'

// Neutral names: filter lists match words like "analytics" or "track".
const VISIT_KEY = '_mb'

/** localStorage JSON that never throws (storage may be disabled, full, or hold junk). */
export function readJson<T>(key: string): T | undefined {
  try {
    return JSON.parse(localStorage.getItem(key)!) || undefined
  } catch {
    return undefined
  }
}

export function writeJson(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value))
  } catch {
    // no storage: the widget keeps working from memory
  }
}

/**
 * The ids come from the cookie, which subdomains share; the touches from localStorage, which also
 * stands in for the ids when cookies are cleared or stripped.
 */
export function loadVisit(): Partial<VisitState> {
  const saved = readJson<VisitState>(VISIT_KEY) || {}
  try {
    const [v, s, b, x] = (Cookies.get(VISIT_KEY) || '').split('.')
    if (v && s) return { ...saved, v, s, b: +b!, x: +x! }
  } catch {
    // document.cookie can throw in sandboxed frames
  }
  return saved
}

export function saveVisit(visit: VisitState, domain: string): void {
  writeJson(VISIT_KEY, visit)
  try {
    Cookies.set(VISIT_KEY, [visit.v, visit.s, visit.b, visit.x].join('.'), {
      domain, // '' (IP, localhost) leaves a host-only cookie
      expires: 400, // Chrome's cap; Safari's ITP cuts script cookies to 7 days anyway
      sameSite: 'Lax',
      secure: location.protocol == 'https:',
    })
  } catch {
    // cookies blocked: localStorage alone carries the visit
  }
}
