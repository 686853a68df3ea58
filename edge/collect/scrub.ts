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
// Any dash people or keyboards produce (hyphen to em dash, figure dash, U+2212 minus) and slashes count.
const SEP = String.raw`(?:[\s\-.()/\u2010-\u2015\u2212]|%20|%28|%29|%2D|%2F)*`
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

// Invisible characters split "ivan@mail.ru" for the patterns but not for a human reader.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g
// NFKC folds full-width digits but leaves Arabic-Indic ones (U+0660–0669, U+06F0–06F9): their low nibble is the digit.
const ARABIC_DIGIT = /[\u0660-\u0669\u06F0-\u06F9]/g
// Enough for a triple-encoded "@" (%252540); a bound, so a crafted string cannot make us loop.
const MAX_DECODES = 3

const fold = (text: string) =>
  text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(ARABIC_DIGIT, (d) => String(d.charCodeAt(0) & 0xf))

// Run by run, so one stray "%" (a "100%" in a tag) does not stop the rest from being decoded.
const decodeRuns = (text: string) => text.replace(/(?:%[0-9a-f]{2})+/gi, safeDecode)

/** The text as sent, then folded and decoded round by round until it no longer changes. */
function readings(text: string): string[] {
  const forms = [text, fold(text)]
  for (let round = 0; round < MAX_DECODES; round++) {
    const next = fold(decodeRuns(forms.at(-1)!))
    if (next === forms.at(-1)) break
    forms.push(next)
  }
  return forms
}

function matches(text: string): boolean {
  EMAIL.lastIndex = 0
  PHONE.lastIndex = 0
  return EMAIL.test(text) || PHONE.test(text)
}

const redact = (text: string) => text.replace(EMAIL, REDACTED).replace(PHONE, REDACTED)

/** Whether the text, as sent, folded or percent-decoded, holds what looks like a phone or an email. */
export const hasContact = (text: string) => readings(text).some(matches)

/**
 * Free text with every phone- or email-looking part replaced by `[redacted]`. The last reading is
 * redacted: a contact found in any reading is still in it, and so is every other one.
 */
export function scrubText(text: string): string {
  const forms = readings(text)
  return forms.some(matches) ? redact(forms.at(-1)!) : text
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
