import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { decryptSecret } from '../../edge/crypto/secrets'
import {
  errorMessage,
  randomSecret,
  seedCatalogue,
  send,
  validIntegration,
} from './settings-helpers'

const ACC = 'acc-integrations'
const SECRET = randomSecret()
let catalogue: Awaited<ReturnType<typeof seedCatalogue>>
const valid = () => validIntegration(catalogue.campaignId, SECRET)

const storedRow = (id: string) =>
  env.DB.prepare('SELECT * FROM integrations WHERE id = ?')
    .bind(id)
    .first<Record<string, unknown>>()

beforeAll(async () => {
  catalogue = await seedCatalogue(ACC)
})

describe('POST /api/v1/integrations', () => {
  it('creates an integration with the documented defaults and a masked secret', async () => {
    const { identity, secretKey, defaultAttribution } = valid()
    const reply = await send(ACC, 'POST', '/api/v1/integrations', {
      uid: 'https://Beta45.medods.ru/some/page',
      identity,
      secretKey,
      defaultAttribution,
    })
    expect(reply.status).toBe(201)
    expect(reply.body).toMatchObject({
      kind: 'medods',
      active: true,
      uid: 'https://beta45.medods.ru',
      identity,
      secretKey: `••••${SECRET.slice(-4)}`,
      sendRequests: false,
      sendDeals: false,
      defaultAttribution: { kind: 'campaign', campaignId: catalogue.campaignId },
      onlineSourceIds: [],
      siteIds: [],
      lookbackDays: 30,
      windowBeforeMinutes: 30,
      windowAfterMinutes: 5,
      lastRunAt: null,
      lastError: null,
    })
  })

  it('stores the SecretKey only as AES-GCM ciphertext that decrypts to it', async () => {
    const reply = await send(ACC, 'POST', '/api/v1/integrations', valid())
    const row = await storedRow(reply.body.id)
    expect(JSON.stringify(row)).not.toContain(SECRET)
    expect(row!.secret_key_enc).toMatch(/^v1\./)
    expect(await decryptSecret(row!.secret_key_enc as string, env.SECRETS_KEY)).toBe(SECRET)
  })

  it("answers with the install script of the account's first site and Russian steps", async () => {
    const reply = await send(ACC, 'POST', '/api/v1/integrations', valid())
    expect(reply.body.install.siteId).toBe(catalogue.siteA.id)
    expect(reply.body.install.script).toBe(
      `<script async src="http://bridge.test/w.js" data-site="${catalogue.siteA.siteKey}"></script>`
    )
    expect(reply.body.install.instructions.length).toBeGreaterThanOrEqual(3)
    expect(reply.body.install.instructions.join(' ')).toMatch(/a\.clinic\.ru.*<\/head>/)
  })

  it('installs on the default source site, else the first matched site', async () => {
    const bySource = await send(ACC, 'POST', '/api/v1/integrations', {
      ...valid(),
      siteIds: [catalogue.siteA.id],
      defaultAttribution: { kind: 'source', sourceId: catalogue.sourceId, siteId: catalogue.siteB.id },
    })
    expect(bySource.body.install.siteId).toBe(catalogue.siteB.id)
    const bySites = await send(ACC, 'POST', '/api/v1/integrations', {
      ...valid(),
      siteIds: [catalogue.siteB.id, catalogue.siteA.id, catalogue.siteB.id],
    })
    expect(bySites.body.siteIds).toEqual([catalogue.siteB.id, catalogue.siteA.id])
    expect(bySites.body.install.siteId).toBe(catalogue.siteB.id)
  })

  it('answers install: null while the account has no site', async () => {
    const acc = 'acc-no-sites'
    const campaign = (await send(acc, 'POST', '/api/v1/campaigns', { name: 'C' })).body.id
    const reply = await send(acc, 'POST', '/api/v1/integrations', {
      ...valid(),
      defaultAttribution: { kind: 'campaign', campaignId: campaign },
    })
    expect(reply.status).toBe(201)
    expect(reply.body.install).toBeNull()
  })

  it('accepts a local sandbox UID because the test Worker has MEDODS_ALLOW_LOCAL=1', async () => {
    expect(env.MEDODS_ALLOW_LOCAL).toBe('1')
    const reply = await send(ACC, 'POST', '/api/v1/integrations', {
      ...valid(),
      uid: 'http://127.0.0.1:8788/',
    })
    expect(reply.status).toBe(201)
    expect(reply.body.uid).toBe('http://127.0.0.1:8788')
  })
})

describe('GET and PATCH /api/v1/integrations', () => {
  it('lists the account integrations page by page and reads one', async () => {
    const acc = 'acc-integration-pages'
    const campaign = (await send(acc, 'POST', '/api/v1/campaigns', { name: 'C' })).body.id
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const body = { ...valid(), defaultAttribution: { kind: 'campaign', campaignId: campaign } }
      ids.push((await send(acc, 'POST', '/api/v1/integrations', body)).body.id)
    }

    const first = await send(acc, 'GET', '/api/v1/integrations?limit=2')
    const next = `/api/v1/integrations?limit=2&cursor=${first.body.nextCursor}`
    const second = await send(acc, 'GET', next)
    expect([...first.body.data, ...second.body.data].map((i: { id: string }) => i.id)).toEqual(ids)
    expect(second.body.nextCursor).toBeNull()

    const one = await send(acc, 'GET', `/api/v1/integrations/${ids[1]}`)
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ id: ids[1], secretKey: `••••${SECRET.slice(-4)}` })
    expect(one.body).not.toHaveProperty('install')
  })

  it('keeps the stored SecretKey when PATCH leaves it out, replaces it when given', async () => {
    const created = await send(ACC, 'POST', '/api/v1/integrations', valid())
    const path = `/api/v1/integrations/${created.body.id}`
    const before = await storedRow(created.body.id)

    const changes = { active: false, lookbackDays: 7, onlineSourceIds: [2, 14] }
    const patched = await send(ACC, 'PATCH', path, changes)
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject(changes)
    expect(patched.body.install.siteId).toBe(catalogue.siteA.id)
    expect((await storedRow(created.body.id))!.secret_key_enc).toBe(before!.secret_key_enc)

    const next = randomSecret()
    const rotated = await send(ACC, 'PATCH', path, { secretKey: next })
    expect(rotated.body.secretKey).toBe(`••••${next.slice(-4)}`)
    const row = await storedRow(created.body.id)
    expect(await decryptSecret(row!.secret_key_enc as string, env.SECRETS_KEY)).toBe(next)
  })

  it('switches the default to a source and site, clearing the campaign', async () => {
    const created = await send(ACC, 'POST', '/api/v1/integrations', valid())
    const path = `/api/v1/integrations/${created.body.id}`
    const reply = await send(ACC, 'PATCH', path, {
      defaultAttribution: { kind: 'source', sourceId: catalogue.sourceId, siteId: catalogue.siteB.id },
    })
    expect(reply.body.defaultAttribution).toEqual({ kind: 'source', sourceId: catalogue.sourceId, siteId: catalogue.siteB.id })
    expect(reply.body.install.siteId).toBe(catalogue.siteB.id)
    const row = await storedRow(created.body.id)
    expect(row).toMatchObject({ default_campaign_id: null, default_source_id: catalogue.sourceId })
  })

  it('validates PATCH fields and refuses to drop the default while requests are sent', async () => {
    const created = await send(ACC, 'POST', '/api/v1/integrations', valid())
    const path = `/api/v1/integrations/${created.body.id}`
    const badUid = await send(ACC, 'PATCH', path, { uid: 'https://x.medods.ru.evil.com/' })
    expect(badUid.status).toBe(400)
    expect(errorMessage(badUid)).toMatch(/^uid:/)
    const noDefault = await send(ACC, 'PATCH', path, { defaultAttribution: null })
    expect(errorMessage(noDefault)).toMatch(/^defaultAttribution:/)
    const off = await send(ACC, 'PATCH', path, { sendRequests: false, defaultAttribution: null })
    expect(off.status).toBe(200)
    expect(off.body.defaultAttribution).toBeNull()
  })

  it('shows the importer status read-only', async () => {
    const created = await send(ACC, 'POST', '/api/v1/integrations', valid())
    await env.DB.prepare('UPDATE integrations SET last_run_at = ?, last_error = ? WHERE id = ?')
      .bind(1_700_000_000_000, 'Medods answered 403', created.body.id)
      .run()
    const path = `/api/v1/integrations/${created.body.id}`
    const read = await send(ACC, 'GET', path)
    expect(read.body).toMatchObject({
      lastRunAt: '2023-11-14T22:13:20.000Z',
      lastError: 'Medods answered 403',
    })
    const ignored = await send(ACC, 'PATCH', path, { lastError: null, lastRunAt: null })
    expect(ignored.body.lastError).toBe('Medods answered 403')
  })
})
