/**
 * The widget sends contacts only as hashes, but a page URL, a UTM tag or a form name can still
 * carry a raw phone or email (`?phone=…`, `utm_term=ivan@mail.ru`, a "thank you" page with the
 * email in its path). 152-FZ keeps contact data out of the edge store (attribution.md §11), so the
 * collector removes them before anything is queued or stored.
 */

export const REDACTED = '[redacted]'

const EMAIL = /[\p{L}\p{N}._%+-]+(?:@|%40)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/giu
// Russian numbers as people type them (+7 / 7 / 8 and ten digits with spaces, dashes or brackets),
// and any "+" with 10–14 digits. Long click ids (yclid, 17+ digits) fail the digit guards.
const SEP = String.raw`(?:[\s\-.()]|%20|%28|%29|%2D)*`
const RU_PHONE = String.raw`(?:\+|%2B)?[78]${SEP}\d{3}${SEP}\d{3}${SEP}\d{2}${SEP}\d{2}`
const INTL_PHONE = String.raw`(?:\+|%2B)\d(?:${SEP}\d){9,13}`
const PHONE = new RegExp(String.raw`(?<![\d%])(?:${RU_PHONE}|${INTL_PHONE})(?!\d)`, 'giu')
const CONTACT_PARAM =
  /(?:^|[_-])(?:phone|tel|mobile|e?mail|contact)(?:[_-]|$)|телефон|почта/i

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function matches(text: string): boolean {
  EMAIL.lastIndex = 0
  PHONE.lastIndex = 0
  return EMAIL.test(text) || PHONE.test(text)
}

const redact = (text: string) => text.replace(EMAIL, REDACTED).replace(PHONE, REDACTED)

/** Whether the text, raw or percent-decoded, holds what looks like a phone or an email. */
export const hasContact = (text: string) => matches(text) || matches(safeDecode(text))

/** Free text with every phone- or email-looking part replaced by `[redacted]`. */
export function scrubText(text: string): string {
  if (matches(text)) return redact(text)
  const decoded = safeDecode(text)
  return matches(decoded) ? redact(decoded) : text
}

/**
 * A URL without contact-looking query parameters (by name or value), with contacts in its path or
 * fragment redacted. A URL holding none is returned unchanged, byte for byte.
 */
export function scrubUrl(value: string): string {
  if (!hasContact(value)) return value
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return scrubText(value)
  }
  for (const [name, param] of [...url.searchParams]) {
    const leaks = CONTACT_PARAM.test(name) || hasContact(name) || hasContact(param)
    if (leaks) url.searchParams.delete(name)
  }
  url.pathname = scrubText(safeDecode(url.pathname))
  if (hasContact(url.hash)) url.hash = ''
  if (url.username || url.password) url.username = url.password = ''
  const scrubbed = url.toString()
  return hasContact(scrubbed) ? scrubText(scrubbed) : scrubbed
}
