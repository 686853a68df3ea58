import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, cabinetToken, call, cookieFor, FORM, setCookies } from './helpers'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

describe('pages: security', () => {
  it('every page carries a CSP without inline script, no framing, a referrer policy and nosniff', async () => {
    for (const path of ['/app/sign-in', '/app/integrations', '/app/assets/app.js']) {
      const res = await call(path, { redirect: 'manual' })
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('referrer-policy')).toBe('same-origin')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('sends a person without a session to sign-in, and keeps a session id HttpOnly, Lax, Secure on https', async () => {
    const res = await call('/app/requests', { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/app/sign-in?next=%2Fapp%2Frequests')

    const signIn = await exports.default.fetch('https://bridge.test/app/sign-in', {
      method: 'POST',
      headers: { 'content-type': FORM, origin: 'https://bridge.test' },
      body: form({ token: await cabinetToken('acct-https') }),
      redirect: 'manual',
    })
    const cookie = setCookies(signIn).find((line) => line.startsWith('mb_session=')) ?? ''
    expect(cookie).toMatch(/^mb_session=[A-Za-z0-9_-]{43};/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
    expect(cookie).toContain('Secure')
    expect(cookie).toContain('Path=/app')
  })

  it('refuses a form posted from another site (403), even with a valid session cookie', async () => {
    const cookie = await cookieFor('acct-csrf')
    const forged = await call('/app/integrations', {
      method: 'POST',
      headers: { 'content-type': FORM, origin: 'https://evil.example', cookie },
      body: form({ uid: 'https://beta45.medods.ru/', identity: 'x', secretKey: 'y' }),
    })
    expect(forged.status).toBe(403)
    expect(await forged.text()).toContain('Запрос отклонён')
    const list = await api('acct-csrf', '/api/v1/integrations')
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(0)
  })

  it("answers 404 for another account's integration, and sends an expired cookie to sign-in", async () => {
    const created = await api('acct-owner', '/api/v1/integrations', {
      method: 'POST',
      body: JSON.stringify({
        uid: 'https://beta45.medods.ru/',
        identity: 'id',
        secretKey: 'secret-key-0123456789',
      }),
    })
    const { id } = (await created.json()) as { id: string }
    const asOwner = { headers: { cookie: await cookieFor('acct-owner') } }
    const own = await call(`/app/integrations/${id}`, asOwner)
    expect(own.status).toBe(200)
    expect(await own.text()).not.toContain('secret-key-0123456789')
    const asOther = { headers: { cookie: await cookieFor('acct-other') } }
    const foreign = await call(`/app/integrations/${id}`, asOther)
    expect(foreign.status).toBe(404)

    const unknown = await call('/app/integrations', {
      headers: { cookie: 'mb_session=not-a-session-this-app-made' },
      redirect: 'manual',
    })
    expect(unknown.headers.get('location')).toBe('/app/sign-in?expired=1&next=%2Fapp%2Fintegrations')
  })

  it('serves no demo page unless DEMO_BOOKING_ORIGIN is set (only npm start sets it)', async () => {
    expect((await call('/demo')).status).toBe(404)
  })
})
