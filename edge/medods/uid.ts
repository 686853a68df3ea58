/**
 * The Medods UID is the clinic's address, e.g. `https://beta45.medods.ru/`. It is an allow-list, not a URL
 * to fetch: only `https://<sub>.medods.ru` can come out of it, so a UID can never aim the Worker at another
 * host. With `allowLocal` (the local `.dev.vars` only) `http://127.0.0.1:<port>/` and
 * `http://localhost:<port>/` are accepted too, for the Medods sandbox.
 */
export type ParsedUid = { origin: string; apiBase: string }

const MEDODS_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.medods\.ru$/
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost'])

export function parseMedodsUid(input: string, allowLocal: boolean): ParsedUid | { error: string } {
  const raw = input.trim()
  // A bare clinic part ("beta45") is expanded, as Medods shows it to clinics that way too.
  const candidate = /^[a-z0-9-]+$/i.test(raw) ? `https://${raw}.medods.ru/` : raw
  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    return { error: 'must be the clinic address, e.g. https://beta45.medods.ru/' }
  }
  if (url.username || url.password) return { error: 'must not contain a user name or password' }
  const host = url.hostname.toLowerCase()
  const isLocal = allowLocal && url.protocol === 'http:' && LOCAL_HOSTS.has(host) && url.port !== ''
  const isMedods = url.protocol === 'https:' && url.port === '' && MEDODS_HOST.test(host)
  if (!isLocal && !isMedods) return { error: 'must be https://<clinic>.medods.ru/' }
  const origin = `${url.protocol}//${url.host}`
  return { origin, apiBase: `${origin}/api/v2/` }
}
