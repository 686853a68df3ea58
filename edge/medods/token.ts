import { SignJWT } from 'jose'

/** Lifetime of a Medods token; the official example uses 64 s, so the server accepts at least that. */
export const TOKEN_TTL_SECONDS = 60
// Issued a few seconds early so a clinic server whose clock is slightly behind still accepts it.
const CLOCK_SKEW_SECONDS = 5

/**
 * The self-signed HS512 JWT Medods API v2 expects (medods-api.md §2): only `iss`, `iat`, `exp`, signed
 * with the SecretKey's own text (its UTF-8 bytes), not its hex-decoded bytes.
 */
export async function medodsToken(identity: string, secretKey: string, nowMs = Date.now()) {
  const iat = Math.floor(nowMs / 1000) - CLOCK_SKEW_SECONDS
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
    .setIssuer(identity)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_TTL_SECONDS)
    .sign(new TextEncoder().encode(secretKey))
}

/** Mints a token at most once per half lifetime, as the official client does. */
export function tokenSource(identity: string, secretKey: string, now: () => number) {
  let cached: { token: string; refreshAt: number } | undefined
  return async () => {
    const at = now()
    if (!cached || at >= cached.refreshAt) {
      const token = await medodsToken(identity, secretKey, at)
      cached = { token, refreshAt: at + (TOKEN_TTL_SECONDS / 2) * 1000 }
    }
    return cached.token
  }
}
