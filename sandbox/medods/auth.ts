import { decodeJwt, jwtVerify } from 'jose'

/**
 * An API client of the sandbox clinic. `rights` lists the resources its API role may read ('all' for the
 * full-access role the product asks clinics to create; [] for a key made without any role).
 */
export type SandboxKey = { identity: string; secretKey: string; rights: 'all' | readonly string[] }

export type AuthResult =
  | { ok: true; key: SandboxKey }
  | { ok: false; status: 401; detail: string }

// The longest lifetime a public client uses is 300 s; Medods' real cap is unknown (medods-api.md §2).
const MAX_LIFETIME_SECONDS = 300
const MAX_FUTURE_IAT_SECONDS = 30
const JOSE_REASONS: Record<string, string> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad signature',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm not allowed',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'missing or invalid claim',
}

/**
 * Verifies the self-signed HS512 token as Medods would: the Identity must be known, the signature must
 * use the SecretKey's text (a hex-decoded key fails), only HS512, and the token must be current.
 * Accepts `Bearer <jwt>` and the bare `<jwt>` some public clients send.
 */
export async function authenticate(
  header: string | undefined,
  keys: readonly SandboxKey[],
  nowMs: number
): Promise<AuthResult> {
  const fail = (detail: string) => ({ ok: false as const, status: 401 as const, detail })
  const token = header?.replace(/^Bearer\s+/i, '').trim()
  if (!token) return fail('missing token')
  let iss: unknown
  try {
    iss = decodeJwt(token).iss
  } catch {
    return fail('malformed token')
  }
  const key = keys.find((k) => k.identity === iss)
  if (!key) return fail('unknown identity')
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(key.secretKey), {
      algorithms: ['HS512'],
      issuer: key.identity,
      requiredClaims: ['iat', 'exp'],
      currentDate: new Date(nowMs),
    })
    const nowSeconds = Math.floor(nowMs / 1000)
    if (payload.iat! > nowSeconds + MAX_FUTURE_IAT_SECONDS) return fail('iat in the future')
    if (payload.exp! - payload.iat! > MAX_LIFETIME_SECONDS) return fail('lifetime too long')
    return { ok: true, key }
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    return fail(JOSE_REASONS[code] ?? 'invalid token')
  }
}

export const mayRead = (key: SandboxKey, resource: string) =>
  key.rights === 'all' || key.rights.includes(resource)
