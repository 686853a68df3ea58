const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

/**
 * A site's domain as the widget will see it in `location.hostname`: lowercased, IDN in punycode,
 * no scheme, port, path or user info. A pasted URL (`https://Clinic.ru/prices?x=1`) is reduced to
 * its host rather than refused, because that is what a person copying from the address bar means.
 * Undefined when no host name can be read from it.
 */
export function normalizeDomain(input: string): string | undefined {
  const raw = input.trim()
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)
  let url: URL
  try {
    url = new URL(hasScheme ? raw : `http://${raw}`)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (url.username || url.password) return undefined
  const host = url.hostname.replace(/\.$/, '')
  if (host.length > 253) return undefined
  const labels = host.split('.')
  if (!labels.every((label) => LABEL.test(label))) return undefined
  // A single label is only a host name for the local demo (`localhost`); elsewhere it is a typo.
  return labels.length >= 2 || host === 'localhost' ? host : undefined
}
