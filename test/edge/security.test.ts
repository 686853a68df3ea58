import { createMessageBatch } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { generateKeyPair, SignJWT } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import worker from '../../edge/index'
import { runImportJob } from '../../edge/imports/run'
import { checkMedodsConnection } from '../../edge/medods/check'
import { createMedodsClient } from '../../edge/medods/client'
import { parseMedodsUid } from '../../edge/medods/uid'
import { createMedodsSandbox, DEMO_KEY, type MedodsSandbox } from '../../sandbox/medods'
import { call } from './helpers'
import { randomSecret, send } from './settings-helpers'
import { captureImportJobs, importDeps } from './support/import-fixtures'
import { recordingSleep, SANDBOX_UID, sandboxFetch } from './support/medods-sandbox'

afterEach(() => vi.restoreAllMocks())

const secret = () => new TextEncoder().encode(env.CABINET_JWT_SECRET)
const now = () => Math.floor(Date.now() / 1000)
const hs256 = (claims: Record<string, unknown> = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h')
const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')

// What test/edge/auth.test.ts does not cover yet.
const refusedTokens: [string, () => Promise<string>, RegExp][] = [
  ['not valid yet (nbf an hour ahead)', () => hs256().setSubject('acc').setNotBefore(now() + 3600).sign(secret()), /"nbf"/],
  [
    'signed with an asymmetric algorithm (ES256)',
    async () =>
      new SignJWT({ sub: 'acc' })
        .setProtectedHeader({ alg: 'ES256' })
        .setExpirationTime('1h')
        .sign((await generateKeyPair('ES256')).privateKey),
    /algorithm not allowed/,
  ],
  [
    'alg none with a signature part',
    async () => `${b64url({ alg: 'none' })}.${b64url({ sub: 'acc', exp: now() + 3600 })}.c2ln`,
    /algorithm not allowed|malformed/,
  ],
  [
    'HS256 with the signature cut off',
    async () => (await hs256().setSubject('acc').sign(secret())).replace(/\.[^.]+$/, '.'),
    /signature|malformed/,
  ],
  ['an empty sub', () => hs256().setSubject('').sign(secret()), /"sub"/],
  ['a numeric sub', () => hs256({ sub: 42 }).sign(secret()), /"sub"/],
  ['a sub of 129 characters', () => hs256().setSubject('a'.repeat(129)).sign(secret()), /"sub"/],
]

describe('cabinet token edge cases', () => {
  it.each(refusedTokens)('refuses a token %s with 401', async (_, token, message) => {
    const res = await call('/api/v1/sites', { headers: { authorization: `Bearer ${await token()}` } })
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(res.status).toBe(401)
    expect(body.error.code).toBe('unauthorized')
    expect(body.error.message).toMatch(message)
  })
})

describe('the Medods UID allow-list against SSRF', () => {
  it.each([
    'https://beta45.medods.ru%2F@evil.com/',
    'https://beta45.medods.ru:443@evil.com/',
    'https://beta45.medods.ru./',
    'https://2130706433/',
    'https://0x7f.0.0.1/',
    'https://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'https://metadata.google.internal/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'http://127.0.0.1/',
    'http://127.0.0.2:8788/',
  ])('refuses %s, local sandbox allowed or not', (uid) => {
    expect(parseMedodsUid(uid, false)).toHaveProperty('error')
    expect(parseMedodsUid(uid, true)).toHaveProperty('error')
  })

  it('reads a backslash as a path separator, as fetch does: the host stays the clinic', () => {
    expect(parseMedodsUid('https://beta45.medods.ru\\@evil.com/', false)).toMatchObject({
      origin: 'https://beta45.medods.ru',
    })
  })
})

/** A fetch that follows redirects as the platform's does unless told `redirect: 'manual'`. */
function followingFetch(sandbox: MedodsSandbox, contacted: string[]): typeof fetch {
  const inner = sandboxFetch(sandbox, {
    'http://evil.test': (r) => {
      contacted.push(`${r.url} ${r.headers.get('authorization') ?? ''}`)
      return Response.json({ data: [], totalItems: 0 })
    },
  })
  const follow: typeof fetch = async (input, init) => {
    const res = await inner(input, init)
    const location = res.headers.get('location')
    if (res.status >= 300 && res.status < 400 && location && init?.redirect !== 'manual') {
      return follow(new URL(location, new Request(input).url).toString(), init)
    }
    return res
  }
  return follow
}

describe('the Medods client follows no redirect', () => {
  it('answers a 302 to another origin as not Medods, never contacting that origin', async () => {
    const sandbox = createMedodsSandbox({ counts: { clients: 2, appointments: 4 } })
    sandbox.faults.redirect = { times: Infinity, location: 'http://evil.test/api/v2/clinics' }
    const contacted: string[] = []
    const creds = { uid: SANDBOX_UID, identity: DEMO_KEY.identity, secretKey: DEMO_KEY.secretKey }
    const fetch = followingFetch(sandbox, contacted)

    const result = await checkMedodsConnection(creds, { allowLocal: true, fetch })
    expect(result).toMatchObject({ ok: false, reason: 'not_medods' })
    const client = createMedodsClient(creds, { allowLocal: true, fetch, sleep: recordingSleep().sleep })
    await expect(client.probe('clinics')).rejects.toThrow(/HTTP 302.*redirect/)
    expect(contacted).toEqual([])
    expect(sandbox.requests.map((r) => r.status)).toEqual([302, 302])
  })
})

describe('the SecretKey appears in no response, no log line and no readable column', () => {
  it('across settings, check, run now and the import, failures included', async () => {
    const account = 'acc-secret-paths'
    const key = { identity: crypto.randomUUID(), secretKey: randomSecret(), rights: 'all' as const }
    const sandbox = createMedodsSandbox({ keys: [key], counts: { clients: 5, appointments: 30 } })
    const logged: string[] = []
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args) => void logged.push(args.map(String).join(' ')))
    }
    vi.spyOn(globalThis, 'fetch').mockImplementation(sandboxFetch(sandbox))
    const { jobs } = captureImportJobs()

    const campaignId = (await send(account, 'POST', '/api/v1/campaigns', { name: 'C' })).body.id
    await send(account, 'POST', '/api/v1/sites', { name: 'S', domain: 'clinic.ru' })
    const settings = { uid: SANDBOX_UID, identity: key.identity, secretKey: key.secretKey, sendRequests: true }
    const created = await send(account, 'POST', '/api/v1/integrations', {
      ...settings,
      defaultAttribution: { kind: 'campaign', campaignId },
    })
    const path = `/api/v1/integrations/${created.body.id}`
    const replies = [created]
    replies.push(await send(account, 'POST', `${path}/check`))
    expect(replies.at(-1)!.body).toMatchObject({ ok: true, items: expect.any(Array) })
    replies.push(await send(account, 'POST', `${path}/run`, {}))
    expect(replies.at(-1)!.status).toBe(202)
    await runImportJob(importDeps(sandbox), jobs.shift()!)

    // The failure paths: a clinic down, a broken answer (the queue consumer logs it), the key revoked.
    sandbox.faults.serverErrors = { times: 2, status: 500 }
    replies.push(await send(account, 'POST', `${path}/check`))
    replies.push(await send(account, 'POST', `${path}/run`, {}))
    sandbox.faults.truncated = { times: 1 }
    const failing = { id: 'm1', timestamp: new Date(), attempts: 1, body: jobs.shift()! }
    await worker.queue(createMessageBatch('medods-imports', [failing]), env)
    sandbox.faults.revoked.add(key.identity)
    await runImportJob(importDeps(sandbox), failing.body, 2)
    replies.push(await send(account, 'POST', `${path}/check`))
    replies.push(await send(account, 'GET', path))
    replies.push(await send(account, 'GET', '/api/v1/import-runs'))
    replies.push(await send(account, 'GET', '/api/v1/requests?limit=200'))

    expect(replies.map((r) => r.status)).toEqual([201, 200, 202, 200, 202, 200, 200, 200, 200])
    expect(replies[5]!.body).toMatchObject({ ok: false, reason: 'bad_credentials' })
    expect(replies[6]!.body.lastError).toMatch(/401/)
    expect(replies[8]!.body.data.length).toBeGreaterThan(0)
    expect(logged.some((line) => line.includes('import job failed'))).toBe(true)

    const db = await env.DB.prepare(
      'SELECT (SELECT json_group_array(json_object(\'e\', error)) FROM import_runs) AS runs, ' +
        '(SELECT json_group_array(json_object(\'k\', secret_key_enc, \'e\', last_error)) FROM integrations) AS integrations'
    ).first<{ runs: string; integrations: string }>()
    const haystacks = [...replies.map((r) => r.text), ...logged, db!.runs, db!.integrations]
    for (const text of haystacks) {
      expect(text).not.toContain(key.secretKey)
      expect(text).not.toContain(key.secretKey.slice(0, 16))
      expect(text).not.toContain(key.secretKey.slice(24, 40))
    }
    expect(sandbox.requests.length).toBeGreaterThan(10)
  })
})
