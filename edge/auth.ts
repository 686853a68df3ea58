import { createMiddleware } from 'hono/factory'
import { errors, jwtVerify } from 'jose'
import { ApiError } from './errors'
import type { AppEnv } from './types'

const BEARER = /^Bearer\s+(\S+)$/i

/** Why a token was refused, in words a cabinet developer can act on. */
function describeJwtFailure(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'Token expired'
  if (err instanceof errors.JOSEAlgNotAllowed) return 'Token algorithm not allowed: use HS256'
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'Token signature is invalid'
  if (err instanceof errors.JWTClaimValidationFailed) return `Token claim "${err.claim}" is invalid: ${err.reason}`
  return 'Token is malformed'
}

/** Cabinet auth: `Authorization: Bearer <JWT>`, HS256, `sub` = account id, `exp` required. */
export const requireAccount = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization')
  if (!header) throw new ApiError('unauthorized', 'Missing Authorization header: send "Bearer <token>"')
  const token = BEARER.exec(header)?.[1]
  if (!token) throw new ApiError('unauthorized', 'Authorization header must be "Bearer <token>"')
  const { accountId } = await verifyCabinetToken(token, c.env.CABINET_JWT_SECRET)
  c.set('accountId', accountId)
  await next()
})

/** The one check of a cabinet token (API header and pages' cookie): HS256, `sub` = account id, `exp`. */
export async function verifyCabinetToken(token: string, jwtSecret: string) {
  const secret = new TextEncoder().encode(jwtSecret)
  let sub: unknown
  let exp: number
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
    })
    sub = payload.sub
    exp = payload.exp!
  } catch (err) {
    throw new ApiError('unauthorized', describeJwtFailure(err))
  }
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) {
    throw new ApiError('unauthorized', 'Token claim "sub" must be the cabinet account id')
  }
  return { accountId: sub, expiresAt: new Date(exp * 1000) }
}
