import { env } from 'cloudflare:workers'
import { SignJWT, UnsecuredJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { cabinetToken, call } from './helpers'

const secret = () => new TextEncoder().encode(env.CABINET_JWT_SECRET)
const now = () => Math.floor(Date.now() / 1000)

async function sitesWith(authorization?: string) {
  const res = await call('/api/v1/sites', {
    headers: authorization ? { authorization } : {},
  })
  const body = (await res.json()) as { error?: { code: string; message: string } }
  return { status: res.status, body }
}

describe('cabinet auth on /api/v1', () => {
  it('lets a valid token through; an account seen for the first time has no sites', async () => {
    const { status, body } = await sitesWith(`Bearer ${await cabinetToken('brand-new-account')}`)
    expect(status).toBe(200)
    expect(body).toEqual({ data: [], nextCursor: null })
  })

  const refused: [string, () => Promise<string | undefined>, RegExp][] = [
    ['no Authorization header', async () => undefined, /Missing Authorization header/],
    ['a non-Bearer scheme', async () => `Basic ${btoa('a:b')}`, /must be "Bearer <token>"/],
    ['a malformed token', async () => 'Bearer not.a.jwt', /malformed/],
    [
      'an expired token',
      async () =>
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('acc')
          .setExpirationTime(now() - 60)
          .sign(secret())}`,
      /expired/,
    ],
    [
      'a token signed with another algorithm (HS512)',
      async () =>
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS512' })
          .setSubject('acc')
          .setExpirationTime('1h')
          .sign(secret())}`,
      /algorithm not allowed/,
    ],
    [
      'an unsigned token (alg none)',
      async () => `Bearer ${new UnsecuredJWT({ sub: 'acc' }).setExpirationTime('1h').encode()}`,
      /algorithm not allowed|malformed/,
    ],
    [
      'a forged token (wrong secret)',
      async () =>
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('acc')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('some-other-secret-some-other-secret'))}`,
      /signature is invalid/,
    ],
    [
      'a token without exp',
      async () =>
        `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('acc').sign(secret())}`,
      /"exp"/,
    ],
    [
      'a token without sub',
      async () =>
        `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret())}`,
      /"sub"/,
    ],
  ]

  for (const [name, authorization, message] of refused) {
    it(`refuses ${name} with 401 and a clear message`, async () => {
      const { status, body } = await sitesWith(await authorization())
      expect(status).toBe(401)
      expect(body.error?.code).toBe('unauthorized')
      expect(body.error?.message).toMatch(message)
    })
  }
})
