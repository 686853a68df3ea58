import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { randomSecret, send } from './settings-helpers'

const OWNER = 'acc-owner'
const INTRUDER = 'acc-intruder'
const ids: Record<'sites' | 'campaigns' | 'sources' | 'integrations', string> = {
  sites: '',
  campaigns: '',
  sources: '',
  integrations: '',
}

beforeAll(async () => {
  ids.sites = (await send(OWNER, 'POST', '/api/v1/sites', { name: 'S', domain: 's.ru' })).body.id
  ids.campaigns = (await send(OWNER, 'POST', '/api/v1/campaigns', { name: 'C' })).body.id
  ids.sources = (await send(OWNER, 'POST', '/api/v1/sources', { name: 'Src' })).body.id
  ids.integrations = (
    await send(OWNER, 'POST', '/api/v1/integrations', {
      uid: 'https://owner.medods.ru/',
      identity: 'owner',
      secretKey: randomSecret(),
    })
  ).body.id
  // The intruder is a registered account with rows of its own, not a stranger.
  await send(INTRUDER, 'POST', '/api/v1/sites', { name: 'Mine', domain: 'mine.ru' })
})

const patches = {
  sites: { name: 'Hijacked' },
  campaigns: { name: 'Hijacked' },
  sources: { name: 'Hijacked' },
  integrations: { secretKey: 'hijacked-secret-0000', active: false },
}

describe("another account's ids answer 404 on every settings route", () => {
  for (const kind of ['sites', 'campaigns', 'sources', 'integrations'] as const) {
    it(`GET and PATCH /api/v1/${kind}/:id`, async () => {
      const path = `/api/v1/${kind}/${ids[kind]}`
      expect((await send(INTRUDER, 'GET', path)).status).toBe(404)
      expect((await send(INTRUDER, 'PATCH', path, patches[kind])).status).toBe(404)
      const own = await send(OWNER, 'GET', path)
      expect(own.status).toBe(200)
      expect(own.body.name ?? own.body.identity).not.toBe('Hijacked')
    })

    it(`GET /api/v1/${kind} lists none of them`, async () => {
      const list = await send(INTRUDER, 'GET', `/api/v1/${kind}`)
      expect(list.status).toBe(200)
      expect(list.body.data.map((row: { id: string }) => row.id)).not.toContain(ids[kind])
    })
  }

  for (const kind of ['sites', 'campaigns', 'sources'] as const) {
    it(`DELETE /api/v1/${kind}/:id`, async () => {
      expect((await send(INTRUDER, 'DELETE', `/api/v1/${kind}/${ids[kind]}`)).status).toBe(404)
      expect((await send(OWNER, 'GET', `/api/v1/${kind}/${ids[kind]}`)).status).toBe(200)
    })
  }

  it("leaves the owner's integration untouched by the intruder's PATCH", async () => {
    const row = await env.DB.prepare(
      'SELECT active, secret_key_mask FROM integrations WHERE id = ?'
    )
      .bind(ids.integrations)
      .first()
    expect(row).toMatchObject({ active: 1 })
    expect(row!.secret_key_mask).not.toBe('••••0000')
  })
})
