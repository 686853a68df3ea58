/** Lowercase hex of bytes, as both hashes are stored and compared. */
export const hex = (buffer: ArrayBuffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('')

export type ContactHasher = (message: string) => Promise<string>

/** HMAC-SHA256 hex under `key`; the key is imported once and reused for a whole batch. */
export async function createContactHasher(key: string): Promise<ContactHasher> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  )
  return async (message) =>
    hex(await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(message)))
}

/**
 * The stored form of a contact: HMAC-SHA256(CONTACT_HASH_KEY, wire hash), where the wire hash is
 * what the widget sends, "p:" or "e:" plus SHA-256 hex of the normalised phone (E.164 digits) or email.
 * The importer computes the same from a Medods contact to find the sessions that captured it.
 */
export async function storedContactHash(key: string, wireHash: string): Promise<string> {
  return (await createContactHasher(key))(wireHash)
}

export const contactKind = (wireHash: string) => (wireHash.startsWith('p:') ? 'phone' : 'email')
