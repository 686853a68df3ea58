import { exports } from 'cloudflare:workers'
import { SignJWT } from 'jose'
import { env } from 'cloudflare:workers'

export const BASE = 'http://bridge.test'

/** A cabinet token as the cabinet would mint it (HS256, `sub` = account id). */
export async function cabinetToken(accountId: string, { expiresIn = '1h' } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(accountId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(env.CABINET_JWT_SECRET))
}

/** Calls the Worker as the given account. */
export async function api(accountId: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${await cabinetToken(accountId)}`)
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json')
  return exports.default.fetch(`${BASE}${path}`, { ...init, headers })
}

export const call = (path: string, init?: RequestInit) => exports.default.fetch(`${BASE}${path}`, init)
