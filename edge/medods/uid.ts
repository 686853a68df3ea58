/**
 * The Medods UID is the clinic's address, e.g. `https://beta45.medods.ru/`. It is an allow-list, not a URL
 * to fetch: only `https://<sub>.medods.ru` can come out of it, so a UID can never aim the Worker at another
 * host. With `allowLocal` (the local `.dev.vars` only) `http://127.0.0.1:<port>/` and
 * `http://localhost:<port>/` are accepted too, for the Medods sandbox.
 */
export type ParsedUid = { origin: string; apiBase: string }

/** What is wrong with a UID, so a page can say it in a person's words. */
export type UidProblem = 'not_an_address' | 'credentials' | 'https_required' | 'booking_site' | 'not_medods'
export type UidError = { error: string; problem: UidProblem }

const MEDODS_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.medods\.ru$/
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost'])

const MESSAGES: Record<UidProblem, string> = {
  not_an_address: 'must be the clinic address, e.g. https://beta45.medods.ru/',
  credentials: 'must not contain a user name or password',
  https_required: 'https is required: https://<clinic>.medods.ru/',
  booking_site: 'online-<clinic>.medods.ru is the online-booking site; give the clinic address <clinic>.medods.ru',
  not_medods: 'must be https://<clinic>.medods.ru/',
}

const refuse = (problem: UidProblem): UidError => ({ error: MESSAGES[problem], problem })

/**
 * The forms clinics copy (`https://beta45.medods.ru/`, `beta45.medods.ru`, `beta45`) as one URL: a bare
 * clinic part and a host without a scheme get `https://`.
 */
function asUrl(raw: string): URL | undefined {
  const candidate = /^[a-z0-9-]+$/i.test(raw)
    ? `https://${raw}.medods.ru/`
    : /^[a-z0-9.-]+\.medods\.ru(?:[/?#]|$)/i.test(raw)
      ? `https://${raw}`
      : raw
  try {
    return new URL(candidate)
  } catch {
    return undefined
  }
}

export function parseMedodsUid(input: string, allowLocal: boolean): ParsedUid | UidError {
  const url = asUrl(input.trim())
  if (!url) return refuse('not_an_address')
  if (url.username || url.password) return refuse('credentials')
  const host = url.hostname.toLowerCase()
  const isLocal = allowLocal && url.protocol === 'http:' && LOCAL_HOSTS.has(host) && url.port !== ''
  const isMedods = url.protocol === 'https:' && url.port === '' && MEDODS_HOST.test(host)
  // The booking site has a clinic-like host but never answers the API.
  if (MEDODS_HOST.test(host) && host.startsWith('online-')) return refuse('booking_site')
  if (!isLocal && !isMedods) {
    return refuse(MEDODS_HOST.test(host) && url.protocol === 'http:' ? 'https_required' : 'not_medods')
  }
  const origin = `${url.protocol}//${url.host}`
  return { origin, apiBase: `${origin}/api/v2/` }
}
