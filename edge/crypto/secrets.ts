/**
 * Medods SecretKeys at rest: AES-256-GCM under `env.SECRETS_KEY` (base64 of 32 bytes), a fresh
 * random 12-byte IV per encryption, stored as `v1.<base64(iv | ciphertext+tag)>`. The version
 * prefix lets a later key rotation tell old ciphertexts apart.
 */
const VERSION = 'v1.'
const IV_BYTES = 12

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0))

async function importKey(keyB64: string): Promise<CryptoKey> {
  let raw: Uint8Array
  try {
    raw = fromBase64(keyB64)
  } catch {
    throw new Error('SECRETS_KEY is not base64')
  }
  if (raw.length !== 32) throw new Error('SECRETS_KEY must be base64 of 32 bytes')
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
}

export async function encryptSecret(plain: string, keyB64: string): Promise<string> {
  const key = await importKey(keyB64)
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    key,
    new TextEncoder().encode(plain)
  )
  const out = new Uint8Array(IV_BYTES + sealed.byteLength)
  out.set(iv)
  out.set(new Uint8Array(sealed), IV_BYTES)
  return VERSION + toBase64(out)
}

/** Throws on a foreign format, a wrong key or a tampered ciphertext (GCM authenticates it). */
export async function decryptSecret(ciphertext: string, keyB64: string): Promise<string> {
  if (!ciphertext.startsWith(VERSION)) throw new Error('Unknown secret format')
  const key = await importKey(keyB64)
  const bytes = fromBase64(ciphertext.slice(VERSION.length))
  if (bytes.length <= IV_BYTES) throw new Error('Secret ciphertext is truncated')
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) },
    key,
    bytes.subarray(IV_BYTES)
  )
  return new TextDecoder().decode(plain)
}

/** What reads show instead of the secret: its last 4 characters when that is a quarter or less. */
export function maskSecret(plain: string): string {
  return plain.length >= 16 ? `••••${plain.slice(-4)}` : '••••'
}
