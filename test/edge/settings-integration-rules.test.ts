import { beforeAll, describe, expect, it } from 'vitest'
import {
  errorMessage,
  randomSecret,
  seedCatalogue,
  send,
  validIntegration,
} from './settings-helpers'

const ACC = 'acc-integration-rules'
const SECRET = randomSecret()
let catalogue: Awaited<ReturnType<typeof seedCatalogue>>
const valid = () => validIntegration(catalogue.campaignId, SECRET)

beforeAll(async () => {
  catalogue = await seedCatalogue(ACC)
})

describe('validation names the field', () => {
  const refused = async (patch: Record<string, unknown>, field: RegExp) => {
    const reply = await send(ACC, 'POST', '/api/v1/integrations', { ...valid(), ...patch })
    expect(reply.status).toBe(400)
    expect(errorMessage(reply)).toMatch(field)
  }

  it.each([
    ['plain http', 'http://beta45.medods.ru/'],
    ['another host', 'https://evil.com/'],
    ['an IP literal', 'https://93.184.216.34/'],
    ['an IPv6 literal', 'https://[::1]/'],
    ['user info before the host', 'https://evil.com@x.medods.ru/'],
    ['user info aimed elsewhere', 'https://x.medods.ru@evil.com/'],
    ['a look-alike suffix', 'https://x.medods.ru.evil.com/'],
    ['a port', 'https://x.medods.ru:8443/'],
    ['medods.ru itself', 'https://medods.ru/'],
    ['a local UID without a port', 'http://localhost/'],
  ])('refuses %s as uid', async (_, uid) => {
    await refused({ uid }, /^uid:/)
  })

  it('refuses references outside the account', async () => {
    const other = 'acc-integrations-other'
    const foreignCampaign = (await send(other, 'POST', '/api/v1/campaigns', { name: 'F' })).body.id
    const site = { name: 'F', domain: 'f.ru' }
    const foreignSite = (await send(other, 'POST', '/api/v1/sites', site)).body.id
    const foreignSource = (await send(other, 'POST', '/api/v1/sources', { name: 'F' })).body.id
    await refused(
      { defaultAttribution: { kind: 'campaign', campaignId: foreignCampaign } },
      /^defaultAttribution\.campaignId:/
    )
    await refused(
      { defaultAttribution: { kind: 'source', sourceId: foreignSource, siteId: catalogue.siteA.id } },
      /^defaultAttribution\.sourceId:/
    )
    await refused(
      { defaultAttribution: { kind: 'source', sourceId: catalogue.sourceId, siteId: foreignSite } },
      /^defaultAttribution\.siteId:/
    )
    await refused({ siteIds: [catalogue.siteA.id, foreignSite] }, /^siteIds\.1:/)
  })

  it('refuses malformed fields', async () => {
    await refused({ kind: 'amocrm' }, /^kind:/)
    await refused({ secretKey: undefined }, /^secretKey:/)
    await refused({ identity: ' ' }, /^identity:/)
    await refused({ lookbackDays: 0 }, /^lookbackDays:/)
    await refused({ windowAfterMinutes: 1441 }, /^windowAfterMinutes:/)
    await refused({ onlineSourceIds: ['2'] }, /^onlineSourceIds\.0:/)
    const noSite = { kind: 'source', sourceId: catalogue.sourceId }
    await refused({ defaultAttribution: noSite }, /^defaultAttribution\.siteId:/)
    await refused({ defaultAttribution: null }, /^defaultAttribution: required while sendRequests/)
  })
})

describe('deleting what an integration uses', () => {
  it('answers 409 naming the integration, then deletes once the integration lets go', async () => {
    const make = async (kind: string, body: object): Promise<string> =>
      (await send(ACC, 'POST', `/api/v1/${kind}`, body)).body.id
    const campaign = await make('campaigns', { name: 'Used' })
    const site = await make('sites', { name: 'U', domain: 'u.ru' })
    const matched = await make('sites', { name: 'M', domain: 'm.ru' })
    const source = await make('sources', { name: 'Used' })
    const byCampaign = await send(ACC, 'POST', '/api/v1/integrations', {
      ...valid(),
      siteIds: [matched],
      defaultAttribution: { kind: 'campaign', campaignId: campaign },
    })
    const bySource = await send(ACC, 'POST', '/api/v1/integrations', {
      ...valid(),
      defaultAttribution: { kind: 'source', sourceId: source, siteId: site },
    })

    for (const [path, owner] of [
      [`/api/v1/campaigns/${campaign}`, byCampaign.body.id],
      [`/api/v1/sites/${matched}`, byCampaign.body.id],
      [`/api/v1/sources/${source}`, bySource.body.id],
      [`/api/v1/sites/${site}`, bySource.body.id],
    ]) {
      const reply = await send(ACC, 'DELETE', path!)
      expect(reply.status).toBe(409)
      expect(errorMessage(reply)).toContain(owner)
    }

    const release = { defaultAttribution: { kind: 'campaign', campaignId: catalogue.campaignId }, siteIds: [] }
    await send(ACC, 'PATCH', `/api/v1/integrations/${byCampaign.body.id}`, release)
    await send(ACC, 'PATCH', `/api/v1/integrations/${bySource.body.id}`, release)
    for (const path of [`/api/v1/campaigns/${campaign}`, `/api/v1/sites/${matched}`]) {
      expect((await send(ACC, 'DELETE', path)).status).toBe(204)
    }
    expect((await send(ACC, 'DELETE', `/api/v1/sources/${source}`)).status).toBe(204)
    expect((await send(ACC, 'DELETE', `/api/v1/sites/${site}`)).status).toBe(204)
  })
})
