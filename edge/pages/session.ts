import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { verifyCabinetToken } from '../auth'
import { ApiError } from '../errors'
import type { AppEnv } from '../types'

const COOKIE = 'mb_cabinet'
const COOKIE_PATH = '/app'

const secure = (c: Context) => new URL(c.req.url).protocol === 'https:'

/** Keeps the verified cabinet token for the pages: HttpOnly, SameSite=Lax, Secure on https, until `exp`. */
export async function signIn(c: Context<AppEnv>, token: string) {
  const { expiresAt } = await verifyCabinetToken(token, c.env.CABINET_JWT_SECRET)
  setCookie(c, COOKIE, token, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    expires: expiresAt,
  })
}

export function signOut(c: Context<AppEnv>) {
  deleteCookie(c, COOKIE, { path: COOKIE_PATH, secure: secure(c) })
}

/** Pages behind it see `accountId` exactly as the API does; without a valid cookie, the sign-in page. */
export const requireSignedIn = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, COOKIE)
  if (!token) return c.redirect('/app/sign-in', 303)
  try {
    const { accountId } = await verifyCabinetToken(token, c.env.CABINET_JWT_SECRET)
    c.set('accountId', accountId)
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    signOut(c)
    return c.redirect('/app/sign-in?expired=1', 303)
  }
  await next()
})
