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

export const FORM = 'application/x-www-form-urlencoded'

/** The pages' session cookie of an account, as signing in sets it. */
export async function cookieFor(accountId: string) {
  const res = await call('/app/sign-in', {
    method: 'POST',
    headers: { 'content-type': FORM, origin: BASE },
    body: new URLSearchParams({ token: await cabinetToken(accountId) }).toString(),
    redirect: 'manual',
  })
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`)
  return sessionCookieOf(res)
}

/** The `Set-Cookie` lines of an answer (workerd's Headers types have no getSetCookie). */
export const setCookies = (res: Response) =>
  (res.headers.get('set-cookie') ?? '').split(/,\s*(?=[A-Za-z0-9_-]+=)/).filter(Boolean)

/** `mb_session=<id>` as a sign-in answer set it (it also clears the old token cookie). */
export const sessionCookieOf = (res: Response) =>
  setCookies(res).find((line) => line.startsWith('mb_session='))!.split(';')[0]!

/** Posts a page form as the browser would: same origin, the session cookie, no redirect followed. */
export const postForm = (path: string, cookie: string, fields: Record<string, string>) =>
  call(path, {
    method: 'POST',
    headers: { 'content-type': FORM, origin: BASE, cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  })
