import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { verifyCabinetToken } from '../auth'
import { hex } from '../crypto/contact-hash'
import { createDb } from '../db/client'
import { createPageSession, deletePageSession, findPageSession } from '../db/page-sessions'
import type { AppEnv } from '../types'

const COOKIE = 'mb_session'
/** The cookie of the pages before sessions: the raw cabinet token. Never read again, only cleared. */
const TOKEN_COOKIE = 'mb_cabinet'
const COOKIE_PATH = '/app'
/** A session lasts a working week at most, and never past the token it was signed in with. */
const SESSION_MS = 7 * 24 * 3600_000

const secure = (c: Context) => new URL(c.req.url).protocol === 'https:'

const sha256 = async (text: string) =>
  hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Exchanges a verified cabinet token for a server-side session: the cookie carries a random id (HttpOnly,
 * SameSite=Lax, Secure on https), D1 only its hash. Throws the token's ApiError when it is refused.
 */
export async function signIn(c: Context<AppEnv>, token: string) {
  const { accountId, expiresAt: tokenExpires } = await verifyCabinetToken(token, c.env.CABINET_JWT_SECRET)
  const expiresAt = new Date(Math.min(tokenExpires.getTime(), Date.now() + SESSION_MS))
  const id = randomId()
  await createPageSession(createDb(c.env.DB), { idHash: await sha256(id), accountId, expiresAt })
  deleteCookie(c, TOKEN_COOKIE, { path: COOKIE_PATH, secure: secure(c) })
  setCookie(c, COOKIE, id, { path: COOKIE_PATH, httpOnly: true, sameSite: 'Lax', secure: secure(c), expires: expiresAt })
}

/** Deletes the session itself, so the cookie is worthless even if a copy of it survives. */
export async function signOut(c: Context<AppEnv>) {
  const id = getCookie(c, COOKIE)
  if (id) await deletePageSession(createDb(c.env.DB), await sha256(id))
  deleteCookie(c, COOKIE, { path: COOKIE_PATH, secure: secure(c) })
  deleteCookie(c, TOKEN_COOKIE, { path: COOKIE_PATH, secure: secure(c) })
}

/** Where sign-in sends the person back to: the page asked for, a path of this app only. */
export const signInUrl = (c: Context, expired = false) => {
  const url = new URL(c.req.url)
  const params = new URLSearchParams({ ...(expired ? { expired: '1' } : {}), next: url.pathname + url.search })
  return `/app/sign-in?${params}`
}

/** Pages behind it see `accountId` exactly as the API does; without a live session, the sign-in page. */
export const requireSignedIn = createMiddleware<AppEnv>(async (c, next) => {
  const id = getCookie(c, COOKIE)
  if (!id) return c.redirect(signInUrl(c), 303)
  const session = await findPageSession(createDb(c.env.DB), await sha256(id), new Date())
  if (!session) {
    deleteCookie(c, COOKIE, { path: COOKIE_PATH, secure: secure(c) })
    return c.redirect(signInUrl(c, true), 303)
  }
  c.set('accountId', session.accountId)
  await next()
})
