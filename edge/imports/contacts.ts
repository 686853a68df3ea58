import { parsePhoneNumberFromString } from 'libphonenumber-js/min'
import { hex } from '../crypto/contact-hash'

/**
 * A phone as E.164 digits without "+", e.g. "79991234567" — the form Medods stores and the widget hashes.
 * libphonenumber-js knows "8 (800) …" from "8 912 …" and Kazakh "+7 7xx" numbers, which naive digit rules break.
 */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (!raw) return null
  const trimmed = raw.trim()
  // Medods keeps "79991234567" without a plus; parse it as international, not as a Russian national number.
  const input = /^7\d{10}$/.test(trimmed) ? `+${trimmed}` : trimmed
  const phone = parsePhoneNumberFromString(input, 'RU')
  if (!phone?.isPossible()) return null
  return phone.number.replace(/^\+/, '')
}

export function normalizeEmail(raw: string | null | undefined): string | null {
  const email = raw?.trim().toLowerCase()
  return email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
}

/**
 * The keyed hashes under which the collector stores what the widget captured: the widget sends
 * "p:"/"e:" + SHA-256 of the normalised value, and the collector keeps HMAC-SHA256(key, that string).
 */
export async function contactKeys(contact: { phone: string | null; email: string | null }) {
  const keys: string[] = []
  if (contact.phone) keys.push(`p:${await sha256Hex(contact.phone)}`)
  if (contact.email) keys.push(`e:${await sha256Hex(contact.email)}`)
  return keys
}
