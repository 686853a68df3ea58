import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { call } from './helpers'
import { errorMessage, send } from './settings-helpers'

const ACC = 'acc-catalogue'

describe('sites', () => {
  it('creates a site with a random public siteKey and registers the new account', async () => {
    const before = await env.DB.prepare('SELECT id FROM accounts WHERE id = ?').bind(ACC).first()
    expect(before).toBeNull()
    const a = await send(ACC, 'POST', '/api/v1/sites', { name: 'Клиника', domain: 'clinic.ru' })
    const b = await send(ACC, 'POST', '/api/v1/sites', { name: 'Филиал', domain: 'b.clinic.ru' })
    expect(a.status).toBe(201)
    expect(a.body).toMatchObject({ name: 'Клиника', domain: 'clinic.ru' })
    expect(a.body.siteKey).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(b.body.siteKey).not.toBe(a.body.siteKey)
    const after = await env.DB.prepare('SELECT id FROM accounts WHERE id = ?').bind(ACC).first()
    expect(after).toEqual({ id: ACC })
  })

  it('reduces a pasted URL to its lowercased host (IDN in punycode)', async () => {
    const url = await send(ACC, 'POST', '/api/v1/sites', {
      name: 'URL',
      domain: 'HTTPS://Www.Clinic.RU:8443/prices?x=1#top',
    })
    expect(url.body.domain).toBe('www.clinic.ru')
    const idn = await send(ACC, 'POST', '/api/v1/sites', { name: 'IDN', domain: 'Клиника.РФ/' })
    expect(idn.body.domain).toBe('xn--80apagcdp.xn--p1ai') // Node's domainToASCII('клиника.рф')
  })

  it.each([
    ['not a host', 'clinic ru'],
    ['user info', 'admin@clinic.ru'],
    ['another scheme', 'ftp://clinic.ru'],
    ['a single label', 'clinic'],
    ['an empty string', ''],
    ['a label with a leading hyphen', '-bad.clinic.ru'],
  ])('refuses %s as a domain, naming the field', async (_, domain) => {
    const reply = await send(ACC, 'POST', '/api/v1/sites', { name: 'X', domain })
    expect(reply.status).toBe(400)
    expect(errorMessage(reply)).toMatch(/^domain:/)
  })

  it('refuses a missing name, naming the field', async () => {
    const reply = await send(ACC, 'POST', '/api/v1/sites', { domain: 'clinic.ru' })
    expect(reply.status).toBe(400)
    expect(errorMessage(reply)).toMatch(/^name:/)
  })

  it('reads, updates (keeping the siteKey) and deletes a site', async () => {
    const created = await send(ACC, 'POST', '/api/v1/sites', { name: 'Old', domain: 'old.ru' })
    const path = `/api/v1/sites/${created.body.id}`
    expect((await send(ACC, 'GET', path)).body).toEqual(created.body)

    const patched = await send(ACC, 'PATCH', path, { name: 'New', domain: 'https://new.ru/' })
    expect(patched.status).toBe(200)
    const { siteKey } = created.body
    expect(patched.body).toMatchObject({ name: 'New', domain: 'new.ru', siteKey })

    expect((await send(ACC, 'DELETE', path)).status).toBe(204)
    expect((await send(ACC, 'GET', path)).status).toBe(404)
    expect((await send(ACC, 'DELETE', path)).status).toBe(404)
  })
})

describe('campaigns', () => {
  it('stores UTM rules lowercased, with "" and null meaning any value', async () => {
    const created = await send(ACC, 'POST', '/api/v1/campaigns', {
      name: 'Весна',
      utmSource: ' Yandex ',
      utmMedium: 'CPC',
      utmCampaign: '',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'Весна',
      utmSource: 'yandex',
      utmMedium: 'cpc',
      utmCampaign: null,
    })
    const row = await env.DB.prepare(
      'SELECT utm_source, utm_medium, utm_campaign FROM campaigns WHERE id = ?'
    )
      .bind(created.body.id)
      .first()
    expect(row).toEqual({ utm_source: 'yandex', utm_medium: 'cpc', utm_campaign: null })
  })

  it('reads, lists, updates a rule to null and deletes a campaign', async () => {
    const input = { name: 'Лето', utmCampaign: 'summer' }
    const created = await send(ACC, 'POST', '/api/v1/campaigns', input)
    expect(created.body).toMatchObject({ utmSource: null, utmMedium: null, utmCampaign: 'summer' })
    const path = `/api/v1/campaigns/${created.body.id}`
    expect((await send(ACC, 'GET', path)).body).toEqual(created.body)

    const list = await send(ACC, 'GET', '/api/v1/campaigns?limit=200')
    expect(list.body.data.map((c: { id: string }) => c.id)).toContain(created.body.id)

    const patched = await send(ACC, 'PATCH', path, { utmCampaign: null, utmSource: 'VK' })
    expect(patched.body).toMatchObject({ name: 'Лето', utmSource: 'vk', utmCampaign: null })

    expect((await send(ACC, 'DELETE', path)).status).toBe(204)
    expect((await send(ACC, 'GET', path)).status).toBe(404)
  })

  it('refuses an over-long rule, naming the field', async () => {
    const input = { name: 'X', utmMedium: 'm'.repeat(201) }
    const reply = await send(ACC, 'POST', '/api/v1/campaigns', input)
    expect(reply.status).toBe(400)
    expect(errorMessage(reply)).toMatch(/^utmMedium:/)
  })

  it('pages through campaigns with a cursor', async () => {
    const acc = 'acc-campaign-pages'
    const ids: string[] = []
    for (const name of ['c1', 'c2', 'c3']) {
      ids.push((await send(acc, 'POST', '/api/v1/campaigns', { name })).body.id)
    }
    const first = await send(acc, 'GET', '/api/v1/campaigns?limit=2')
    const next = `/api/v1/campaigns?limit=2&cursor=${first.body.nextCursor}`
    const second = await send(acc, 'GET', next)
    const seen = [...first.body.data, ...second.body.data].map((c: { id: string }) => c.id)
    expect(seen).toEqual(ids)
    expect(second.body.nextCursor).toBeNull()
  })
})

describe('sources', () => {
  it('creates, reads, lists, renames and deletes a source', async () => {
    const created = await send(ACC, 'POST', '/api/v1/sources', { name: 'Сарафан' })
    expect(created.status).toBe(201)
    const path = `/api/v1/sources/${created.body.id}`
    expect((await send(ACC, 'GET', path)).body).toEqual(created.body)
    const list = await send(ACC, 'GET', '/api/v1/sources')
    expect(list.body.data.map((s: { id: string }) => s.id)).toContain(created.body.id)
    const renamed = await send(ACC, 'PATCH', path, { name: 'Рекомендации' })
    expect(renamed.body.name).toBe('Рекомендации')
    expect((await send(ACC, 'DELETE', path)).status).toBe(204)
    expect((await send(ACC, 'GET', path)).status).toBe(404)
  })

  it('refuses a blank name, naming the field', async () => {
    const reply = await send(ACC, 'POST', '/api/v1/sources', { name: '   ' })
    expect(reply.status).toBe(400)
    expect(errorMessage(reply)).toMatch(/^name:/)
  })
})

describe('the OpenAPI document', () => {
  it('describes every settings route', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, object> }
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort()
    for (const kind of ['sites', 'campaigns', 'sources']) {
      expect(methods(`/api/v1/${kind}`)).toEqual(['get', 'post'])
      expect(methods(`/api/v1/${kind}/{id}`)).toEqual(['delete', 'get', 'patch'])
    }
    expect(methods('/api/v1/integrations')).toEqual(['get', 'post'])
    expect(methods('/api/v1/integrations/{id}')).toEqual(['delete', 'get', 'patch'])
  })
})
