import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { send, type Reply } from './settings-helpers'
import { listAll } from './support/api-document'
import { insertRows, requestRow, setUpAccount, type Account } from './support/api-rows'

// The filters of GET /api/v1/requests, over rows written straight into D1 (the importer is tested
// elsewhere).

const T = Date.parse('2026-03-10T09:00:00.000Z')
const MIN = 60_000
let clinic: Account
let other: Account
let secondIntegration: string
const ids: Record<'a' | 'b' | 'c' | 'd' | 'e', string> = { a: '', b: '', c: '', d: '', e: '' }

beforeAll(async () => {
  clinic = await setUpAccount('acc-requests')
  other = await setUpAccount('acc-requests-other')
  secondIntegration = (await insertRows('/api/v1/integrations', clinic, [T]))[0]!
  for (const key of Object.keys(ids) as (keyof typeof ids)[]) ids[key] = crypto.randomUUID()
  const bySource = { campaign_id: null, source_id: clinic.sourceId, site_id: clinic.siteId }
  await env.DB.batch([
    requestRow(clinic, T, ids.a, { match_method: 'session_id', session_id: crypto.randomUUID() }),
    requestRow(clinic, T + MIN, ids.b, { match_method: 'contact' }),
    requestRow(clinic, T + 2 * MIN, ids.c, { match_method: 'default', ...bySource }),
    requestRow(clinic, T + 3 * MIN, ids.d, {
      integration_id: secondIntegration,
      match_method: 'booking_window',
    }),
    requestRow(clinic, T + 4 * MIN, ids.e, {
      integration_id: secondIntegration,
      match_method: 'default',
      ...bySource,
    }),
    // Another account's request that every filter below would select, were it not for the account.
    requestRow(other, T + MIN, crypto.randomUUID(), { match_method: 'contact' }),
  ])
})

type Page = { data: { id: string }[]; nextCursor: string | null }

const listed = async (query: Record<string, string>) =>
  (await listAll(clinic.id, '/api/v1/requests', query)).map((row) => row.id)

describe('GET /api/v1/requests filters', () => {
  it('lists all of the account by creation time without a filter', async () => {
    expect(await listed({})).toEqual([ids.a, ids.b, ids.c, ids.d, ids.e])
  })

  it('integrationId, matchMethod, campaignId, sourceId each select their rows', async () => {
    expect(await listed({ integrationId: clinic.integrationId })).toEqual([ids.a, ids.b, ids.c])
    expect(await listed({ integrationId: secondIntegration })).toEqual([ids.d, ids.e])
    expect(await listed({ matchMethod: 'default' })).toEqual([ids.c, ids.e])
    expect(await listed({ matchMethod: 'session_id' })).toEqual([ids.a])
    expect(await listed({ campaignId: clinic.campaignId })).toEqual([ids.a, ids.b, ids.d])
    expect(await listed({ sourceId: clinic.sourceId })).toEqual([ids.c, ids.e])
  })

  it('createdFrom and createdTo are inclusive to the millisecond and take any offset', async () => {
    const iso = (ms: number) => new Date(ms).toISOString()
    expect(await listed({ createdFrom: iso(T + MIN), createdTo: iso(T + 3 * MIN) })).toEqual([
      ids.b,
      ids.c,
      ids.d,
    ])
    expect(await listed({ createdFrom: iso(T + MIN + 1) })).toEqual([ids.c, ids.d, ids.e])
    expect(await listed({ createdTo: iso(T + MIN - 1) })).toEqual([ids.a])
    // 12:02 in Moscow is 09:02 UTC.
    const moscow = await listed({ createdFrom: '2026-03-10T12:02:00+03:00' })
    expect(moscow).toEqual([ids.c, ids.d, ids.e])
  })

  it('filters combine, and a walk one row a page keeps them', async () => {
    const query = {
      matchMethod: 'default',
      sourceId: clinic.sourceId,
      createdFrom: new Date(T).toISOString(),
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const params = new URLSearchParams({ ...query, limit: '1', ...(cursor ? { cursor } : {}) })
      const reply: Reply<Page> = await send(clinic.id, 'GET', `/api/v1/requests?${params}`)
      expect(reply.status).toBe(200)
      seen.push(...reply.body.data.map((row) => row.id))
      cursor = reply.body.nextCursor
    } while (cursor && seen.length < 10)
    expect(seen).toEqual([ids.c, ids.e])
    const booked = await listed({ integrationId: secondIntegration, matchMethod: 'booking_window' })
    expect(booked).toEqual([ids.d])
    const first = clinic.integrationId
    expect(await listed({ integrationId: first, sourceId: clinic.sourceId })).toEqual([ids.c])
  })

  it("another account's ids select nothing", async () => {
    expect(await listed({ integrationId: other.integrationId })).toEqual([])
    expect(await listed({ campaignId: other.campaignId })).toEqual([])
    const query = { integrationId: clinic.integrationId }
    expect(await listAll(other.id, '/api/v1/requests', query)).toEqual([])
  })

  it('an invalid filter answers 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['matchMethod', 'guess'],
      ['createdFrom', 'yesterday'],
      ['createdTo', '2026-03-10'],
      ['integrationId', 'i'.repeat(101)],
      ['campaignId', 'c'.repeat(101)],
      ['sourceId', 's'.repeat(101)],
    ]
    for (const [field, value] of cases) {
      const query = new URLSearchParams({ [field]: value })
      const reply = await send(clinic.id, 'GET', `/api/v1/requests?${query}`)
      expect(reply.status, `${field}=${value}`).toBe(400)
      expect(reply.body.error.code).toBe('bad_request')
      expect(reply.body.error.message).toMatch(new RegExp(`^${field}: `))
    }
  })
})
