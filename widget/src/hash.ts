import { hex } from './util'

/** Russian phone as E.164 digits (7XXXXXXXXXX); '' when it is not one (never guess: 8 800 … is valid). */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '')
  return /^[78]?\d{10}$/.test(digits) ? '7' + digits.slice(-10) : ''
}

/**
 * Wire hashes of a contact: "p:" + SHA-256 hex of the normalised phone, "e:" + of the trimmed
 * lower-case email. Raw values never leave the page. Empty without `crypto.subtle`, which browsers
 * give only to secure (https) pages.
 */
export async function contactHashes({ phone, email }: { phone?: unknown; email?: unknown }) {
  const values = [
    'p:' + normalisePhone(String(phone || '')),
    'e:' +
      String(email || '')
        .trim()
        .toLowerCase(),
  ]
  const hashes: string[] = []
  try {
    for (const value of values)
      if (value[3] && /^p|@/.test(value))
        hashes.push(
          value.slice(0, 2) +
            hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value.slice(2))))
        )
  } catch {}
  return hashes
}
