import { clip, hex } from './util'

/** Russian phone as E.164 digits (7XXXXXXXXXX); '' when it is not one (never guess: 8 800 … is valid). */
export function normalizePhone(raw: unknown): string {
  const digits = clip(raw).replace(/\D/g, '')
  return /^[78]?\d{10}$/.test(digits) ? '7' + digits.slice(-10) : ''
}

/** Values by label: `{ phone, email }` from the public API, or a form's fields by type + name + id. */
export type Contact = Record<string, unknown>

/**
 * Wire hashes of a contact: "p:" + SHA-256 hex of the first valid phone (a label with tel or phone),
 * normalised, "e:" + of the first email (a label with mail), trimmed and lower-case. Raw values never
 * leave the page. Empty without `crypto.subtle`, which browsers give only to secure (https) pages.
 * Never rejects.
 */
export async function contactHashes(contact: Contact) {
  const found: Record<string, string> = {}
  const hashes: string[] = []
  try {
    for (const label in contact) {
      const value = contact[label]
      if (/tel|phone/i.test(label)) found.p ||= normalizePhone(value)
      else if (/mail/i.test(label) && /@/.test(value as string))
        found.e ||= clip(value).toLowerCase()
    }
    for (const kind in found)
      if (found[kind])
        hashes.push(
          kind +
            ':' +
            hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(found[kind])))
        )
  } catch {}
  return hashes
}
