import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { BASE, cabinetToken, call, cookieFor, FORM, sessionCookieOf } from './helpers'

// Issue 17, item 7: sign-in exchanges the token for a server-side session; the pages are never cached.

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')

const signInWith = (fields: Record<string, string>) =>
  call('/app/sign-in', {
    method: 'POST',
    headers: { 'content-type': FORM, origin: BASE },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  })

const asCookie = (cookie: string) => ({ headers: { cookie }, redirect: 'manual' as const })

describe('the pages session', () => {
  it('keeps a random id in the cookie and only its hash in D1, never the token', async () => {
    const token = await cabinetToken('acc-session-hash')
    const res = await signInWith({ token })
    const cookie = sessionCookieOf(res)
    const id = cookie.slice('mb_session='.length)
    expect(cookie).not.toContain(token.slice(0, 20))
    const rows = await env.DB.prepare("SELECT * FROM page_sessions WHERE account_id = 'acc-session-hash'").all()
    expect(rows.results).toHaveLength(1)
    expect(rows.results[0]!.id_hash).toBe(await sha256(id))
    expect(JSON.stringify(rows.results)).not.toContain(id)
  })

  it('ends no later than the token, and signing out deletes it: the old cookie is refused', async () => {
    const res = await signInWith({ token: await cabinetToken('acc-session-out', { expiresIn: '10m' }) })
    const session = await env.DB.prepare("SELECT expires_at FROM page_sessions WHERE account_id = 'acc-session-out'")
      .first<{ expires_at: number }>()
    expect(session!.expires_at).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 1000)
    const cookie = sessionCookieOf(res)
    expect((await call('/app/integrations/new', asCookie(cookie))).status).toBe(200)

    const out = await call('/app/sign-out', { method: 'POST', headers: { origin: BASE, cookie }, redirect: 'manual' })
    expect(out.status).toBe(303)
    const after = await call('/app/integrations/new', asCookie(cookie))
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toMatch(/^\/app\/sign-in\?expired=1/)
    const left = await env.DB.prepare("SELECT count(*) AS n FROM page_sessions WHERE account_id = 'acc-session-out'")
      .first<{ n: number }>()
    expect(left!.n).toBe(0)
  })

  it('refuses the old cookie that held the raw token', async () => {
    const token = await cabinetToken('acc-session-legacy')
    const res = await call('/app/requests', asCookie(`mb_cabinet=${token}`))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/app\/sign-in/)
  })

  it('lands on the page asked for, a path of this app only', async () => {
    const token = await cabinetToken('acc-session-next')
    const asked = await call('/app/deals?from=2026-01-01', { redirect: 'manual' })
    const next = new URL(asked.headers.get('location')!, BASE).searchParams.get('next')!
    expect(next).toBe('/app/deals?from=2026-01-01')
    const form = await call(`/app/sign-in?next=${encodeURIComponent(next)}`)
    expect(await form.text()).toContain(`name="next" value="/app/deals?from=2026-01-01"`)
    expect((await signInWith({ token, next })).headers.get('location')).toBe(next)
    for (const evil of ['//evil.example/app', 'https://evil.example/app', '/app\\\\evil.example', '/\\evil.example', 'javascript:alert(1)', '/appx']) {
      expect((await signInWith({ token, next: evil })).headers.get('location')).toBe('/app')
    }
  })

  it('says in Russian why a token was refused', async () => {
    const bad = await signInWith({ token: 'not-a-token' })
    expect(bad.status).toBe(401)
    const badText = await bad.text()
    expect(badText).toContain('Токен не принят')
    expect(badText).not.toMatch(/Token|malformed/)
    const expired = await signInWith({ token: await cabinetToken('acc-session-expired', { expiresIn: '-1m' }) })
    expect(await expired.text()).toContain('Срок действия токена истёк')
  })
})

describe('every /app answer', () => {
  it('carries Cache-Control: no-store, signed in or not, pages, redirects and errors', async () => {
    const cookie = await cookieFor('acc-session-cache')
    const answers = [
      await call('/app/sign-in'),
      await call('/app/requests', { redirect: 'manual' }),
      await call('/app/requests', asCookie(cookie)),
      await call('/app/integrations/new', asCookie(cookie)),
      await call('/app/integrations/nope', asCookie(cookie)),
      await signInWith({ token: await cabinetToken('acc-session-cache') }),
    ]
    expect(answers.map((res) => res.status)).toEqual([200, 303, 200, 200, 404, 303])
    for (const res of answers) expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('refuses a form body over 64 KiB before parsing it, in Russian', async () => {
    const res = await signInWith({ token: 'x'.repeat(100_000) })
    expect(res.status).toBe(413)
    expect(await res.text()).toContain('Слишком большая форма')
  })
})
