import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { encryptSecret } from '../../edge/crypto/secrets'
import { checkMedodsConnection } from '../../edge/medods/check'
import { createMedodsSandbox, DEMO_KEY, NO_RIGHTS_KEY } from '../../sandbox/medods'
import { api, call, cookieFor } from './helpers'
import { routeGlobalFetch, sandboxFetch, SANDBOX_UID } from './support/medods-sandbox'

const demo = { uid: SANDBOX_UID, identity: DEMO_KEY.identity, secretKey: DEMO_KEY.secretKey }
const CLINIC_SITE = 'http://127.0.0.1:8790'
const JSON_404 = 'http://127.0.0.1:8791'
const otherHosts = {
  [CLINIC_SITE]: () => new Response('<!doctype html><h1>Клиника</h1>', { headers: { 'content-type': 'text/html' } }),
  [JSON_404]: () => Response.json({ message: 'Not Found' }, { status: 404 }),
}

function check(creds = demo, setup: (s: ReturnType<typeof createMedodsSandbox>) => void = () => {}) {
  const sandbox = createMedodsSandbox()
  setup(sandbox)
  return checkMedodsConnection(creds, { allowLocal: true, fetch: sandboxFetch(sandbox, otherHosts) })
}

describe('checkMedodsConnection', () => {
  it('answers ok for a full-access key', async () => {
    expect(await check()).toEqual({ ok: true })
  })

  it('tells each failure reason apart, with a message a person can act on', async () => {
    const cases = [
      ['bad_credentials', await check({ ...demo, secretKey: NO_RIGHTS_KEY.secretKey })],
      ['bad_credentials', await check({ ...demo, identity: 'not-a-key' })],
      ['no_api_rights', await check({ ...demo, ...NO_RIGHTS_KEY })],
      ['unreachable', await check({ ...demo, uid: 'http://127.0.0.1:9/' })],
      ['unreachable', await check(demo, (s) => (s.faults.serverErrors = { times: Infinity, status: 503 }))],
      ['not_medods', await check({ ...demo, uid: `${CLINIC_SITE}/` })],
      ['not_medods', await check({ ...demo, uid: `${JSON_404}/` })],
    ] as const
    for (const [reason, result] of cases) {
      expect(result).toMatchObject({ ok: false, reason, message: expect.any(String) })
    }
    const messages = new Set(cases.map(([, r]) => (r.ok ? '' : r.message.slice(0, 20))))
    expect(messages.size).toBeGreaterThanOrEqual(4)
  })

  it('names the section a partial API role cannot read', async () => {
    const partial = { identity: 'partial-key', secretKey: DEMO_KEY.secretKey, rights: ['clinics'] }
    const sandbox = createMedodsSandbox({ keys: [partial] })
    const result = await checkMedodsConnection(
      { uid: SANDBOX_UID, identity: partial.identity, secretKey: partial.secretKey },
      { allowLocal: true, fetch: sandboxFetch(sandbox) }
    )
    expect(result).toMatchObject({ ok: false, reason: 'no_api_rights', message: expect.stringContaining('appointments') })
  })

  it('refuses a local UID when local Medods is not allowed, without calling it', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>()
    const result = await checkMedodsConnection(demo, { allowLocal: false, fetch })
    expect(result).toMatchObject({ ok: false, reason: 'not_medods' })
    expect(fetch).not.toHaveBeenCalled()
  })
})

describe('POST /api/v1/integrations/:id/check', () => {
  beforeAll(async () => {
    const insert = async (id: string, account: string, secretKey: string) =>
      env.DB.prepare(
        "INSERT INTO integrations (id, account_id, kind, uid, identity, secret_key_enc) VALUES (?, ?, 'medods', ?, ?, ?)"
      )
        .bind(id, account, SANDBOX_UID, DEMO_KEY.identity, await encryptSecret(secretKey, env.SECRETS_KEY))
        .run()
    await env.DB.prepare("INSERT INTO accounts (id) VALUES ('chk-a'), ('chk-b')").run()
    await insert('int-good', 'chk-a', DEMO_KEY.secretKey)
    await insert('int-stale', 'chk-a', NO_RIGHTS_KEY.secretKey)
    await insert('int-b', 'chk-b', DEMO_KEY.secretKey)
  })
  afterEach(() => vi.restoreAllMocks())

  it('checks the stored key against Medods and never returns the secret', async () => {
    const sandbox = createMedodsSandbox()
    routeGlobalFetch(sandbox)
    const res = await api('chk-a', '/api/v1/integrations/int-good/check', { method: 'POST' })
    expect(res.status).toBe(200)
    const text = await res.text()
    const body = JSON.parse(text)
    expect(body.ok).toBe(true)
    expect(body.items.map((i: { item: string }) => i.item)).toEqual(['sources', 'appointments', 'patient', 'doctor', 'order'])
    expect(body.items.every((i: { status: string }) => i.status === 'ok')).toBe(true)
    expect(body.items[0].message).toMatch(/Онлайн-запись — «.+» \(найдены по названию\)/)
    expect(body.items[1].message).toMatch(/с часовым поясом/)
    expect(text).not.toContain(DEMO_KEY.secretKey)
    expect(sandbox.requests.map((r) => r.path)).toContain('/api/v2/appointments')
  })

  it('keeps the last report on the integration: the API returns it and the page shows it', async () => {
    routeGlobalFetch(createMedodsSandbox())
    const before = Date.now()
    const checked = await (await api('chk-a', '/api/v1/integrations/int-good/check', { method: 'POST' })).json()
    const read = (await (await api('chk-a', '/api/v1/integrations/int-good')).json()) as { lastCheck: { at: string } }
    expect(read.lastCheck).toEqual({ ...(checked as object), at: expect.any(String) })
    expect(Date.parse(read.lastCheck.at)).toBeGreaterThanOrEqual(before - 1000)

    const page = await call('/app/integrations/int-good', { headers: { cookie: await cookieFor('chk-a') } })
    const html = await page.text()
    expect(html).toContain('id="check-report"')
    expect(html).toContain('Проверено')
    expect(html).toMatch(/data-item="order" data-status="ok"/)
  })

  it('forgets the last report when the key changes, not when another setting does', async () => {
    routeGlobalFetch(createMedodsSandbox())
    await api('chk-a', '/api/v1/integrations/int-good/check', { method: 'POST' })
    const patch = async (body: object) =>
      (await (
        await api('chk-a', '/api/v1/integrations/int-good', { method: 'PATCH', body: JSON.stringify(body) })
      ).json()) as { lastCheck: unknown }
    expect((await patch({ sendDeals: true })).lastCheck).not.toBeNull()
    expect((await patch({ secretKey: DEMO_KEY.secretKey })).lastCheck).toBeNull()
  })

  it('answers 200 with the reason when Medods rejects the stored key', async () => {
    routeGlobalFetch(createMedodsSandbox())
    const res = await api('chk-a', '/api/v1/integrations/int-stale/check', { method: 'POST' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { ok: boolean; reason: string; message: string }
    expect(body).toMatchObject({ ok: false, reason: 'bad_credentials', items: [] })
    expect(body.message).not.toContain(NO_RIGHTS_KEY.secretKey)
  })

  it('reports what it found in a Medods of another shape: times without offset, no creation time, orders without total', async () => {
    const report = async (setup: (s: ReturnType<typeof createMedodsSandbox>) => void, over = {}) => {
      const sandbox = createMedodsSandbox(over)
      setup(sandbox)
      routeGlobalFetch(sandbox)
      const res = await api('chk-a', '/api/v1/integrations/int-good/check', { method: 'POST' })
      return ((await res.json()) as { items: { item: string; status: string; message: string }[] }).items
    }
    const local = await report(() => {}, { createdAtWithoutOffset: true })
    expect(local[1]).toMatchObject({ item: 'appointments', status: 'ok' })
    expect(local[1]!.message).toMatch(/без часового пояса читается в поясе Europe\/Moscow/)
    const untimed = await report(() => {}, { withCreatedAt: false })
    expect(untimed[1]).toMatchObject({ item: 'appointments', status: 'not_understood' })
    const lines = await report((sandbox) => {
      for (const order of sandbox.data.orders) delete (order as { total?: number }).total
    })
    expect(lines[4]).toMatchObject({ item: 'order', status: 'ok' })
    expect(lines[4]!.message).toMatch(/нет итоговой суммы/)
  })

  it("answers 404 for another account's integration or an unknown id, without calling Medods", async () => {
    const spy = routeGlobalFetch(createMedodsSandbox())
    for (const path of ['/api/v1/integrations/int-b/check', '/api/v1/integrations/nope/check']) {
      const res = await api('chk-a', path, { method: 'POST' })
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
    }
    expect(spy).not.toHaveBeenCalled()
  })

  it('is described in /openapi.json', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, unknown> }
    expect(doc.paths).toHaveProperty(['/api/v1/integrations/{id}/check', 'post'])
  })

  it('answers 401 without a cabinet token', async () => {
    const res = await call('/api/v1/integrations/int-good/check', { method: 'POST' })
    expect(res.status).toBe(401)
  })
})
