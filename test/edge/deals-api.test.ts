import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createMedodsSandbox, DEMO_KEY, ONLINE_SOURCE_ID } from '../../sandbox/medods'
import { call } from './helpers'
import { send } from './settings-helpers'
import { SANDBOX_UID } from './support/medods-sandbox'
import {
  createDealsIntegration,
  cronDeals,
  dealsDeps,
  dealsOf,
  runToEnd,
} from './support/deals-fixtures'

const OWNER = 'acc-deals-api'
const STRANGER = 'acc-deals-stranger'
const sandbox = createMedodsSandbox({ counts: { clients: 12, appointments: 40 } })
let integrationId: string

afterEach(() => vi.restoreAllMocks())

beforeAll(async () => {
  integrationId = await createDealsIntegration(OWNER)
  await cronDeals(dealsDeps(sandbox).deps, integrationId, Date.now())
  // The stranger has deals of its own, from the same clinic: none of them may leak either way.
  const theirs = await createDealsIntegration(STRANGER)
  await cronDeals(dealsDeps(sandbox).deps, theirs, Date.now())
})

describe('GET /api/v1/deals', () => {
  it('walks every deal once by (modifiedAt, id), page after page', async () => {
    const walked = await dealsOf(OWNER, `&integrationId=${integrationId}`, 7)
    expect(walked).toHaveLength(40)
    expect(new Set(walked.map((d) => d.id)).size).toBe(40)
    const keys = walked.map((d) => `${d.modifiedAt}|${d.id}`)
    expect(keys).toEqual([...keys].sort())
  })

  it('filters by stage, pipeline and modification time', async () => {
    const all = await dealsOf(OWNER, `&integrationId=${integrationId}`)
    const paid = all.find((d) => d.stage.medodsStatus === 'paid')!.stage
    const ofStage = await dealsOf(OWNER, `&stageId=${paid.id}`)
    expect(ofStage.length).toBe(sandbox.data.appointments.filter((a) => a.status === 'paid').length)
    expect(ofStage.every((d) => d.stage.id === paid.id && d.integrationId === integrationId)).toBe(
      true
    )

    expect(await dealsOf(OWNER, `&pipelineId=${all[0]!.pipelineId}`)).toHaveLength(40)
    const last = all.at(-1)!.modifiedAt
    const later = new Date(Date.parse(last) + 1).toISOString()
    expect(await dealsOf(OWNER, `&modifiedFrom=${later}`)).toEqual([])
    expect(await dealsOf(OWNER, `&modifiedTo=${last}`)).toHaveLength(40)
  })

  it('answers 400 naming the field for a bad date, include or cursor', async () => {
    for (const [query, field] of [
      ['modifiedFrom=yesterday', 'modifiedFrom'],
      ['include=everything', 'include'],
      ['limit=0', 'limit'],
      ['cursor=not-ours', 'cursor'],
    ]) {
      const reply = await send(OWNER, 'GET', `/api/v1/deals?${query}`)
      expect(reply.status).toBe(400)
      expect(reply.body.error.message.startsWith(`${field}:`)).toBe(true)
    }
  })

  it('answers 401 without a token', async () => {
    for (const path of ['/api/v1/deals', '/api/v1/pipelines']) {
      const reply = await call(path)
      expect(reply.status).toBe(401)
      expect((await reply.json<any>()).error.code).toBe('unauthorized')
    }
  })

  it("shows another account none of this account's deals or pipelines", async () => {
    const mine = await dealsOf(OWNER)
    const theirs = await dealsOf(STRANGER)
    expect(mine).toHaveLength(40)
    expect(theirs).toHaveLength(40)
    const mineIds = new Set(mine.map((d) => d.id))
    expect(theirs.some((d) => mineIds.has(d.id) || d.integrationId === integrationId)).toBe(false)
    expect(await dealsOf(STRANGER, `&integrationId=${integrationId}`)).toEqual([])
    expect(await dealsOf(STRANGER, `&stageId=${mine[0]!.stage.id}`)).toEqual([])

    const pipelines = await send(
      STRANGER,
      'GET',
      `/api/v1/pipelines?integrationId=${integrationId}`
    )
    expect(pipelines.body).toEqual({ data: [], nextCursor: null })
    const own = await send(STRANGER, 'GET', '/api/v1/pipelines')
    expect(own.body.data).toHaveLength(1)
    expect(own.body.data[0].integrationId).not.toBe(integrationId)
  })

  it('lists both routes in the OpenAPI document', async () => {
    const doc = await (await call('/openapi.json')).json<any>()
    expect(doc.paths['/api/v1/deals'].get.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining([
        'integrationId',
        'modifiedFrom',
        'modifiedTo',
        'stageId',
        'pipelineId',
        'include',
        'cursor',
      ])
    )
    expect(doc.paths['/api/v1/pipelines'].get).toBeDefined()
  })
})

describe('the request of a deal', () => {
  it('links a deal to the request imported from the same appointment, and no other', async () => {
    const account = 'acc-deals-requests'
    const campaign = await send(account, 'POST', '/api/v1/campaigns', { name: 'Без сессии' })
    const created = await send(account, 'POST', '/api/v1/integrations', {
      uid: SANDBOX_UID,
      identity: DEMO_KEY.identity,
      secretKey: DEMO_KEY.secretKey,
      sendRequests: true,
      sendDeals: true,
      lookbackDays: 365,
      defaultAttribution: { kind: 'campaign', campaignId: campaign.body.id },
    })
    const id = created.body.id as string
    const { deps } = dealsDeps(sandbox)
    const at = Date.now()
    expect(
      (await runToEnd(deps, { kind: 'requests', integrationId: id, scheduledAt: at })).status
    ).toBe('succeeded')
    expect((await cronDeals(deps, id, at)).status).toBe('succeeded')

    const requests = (await send(account, 'GET', `/api/v1/requests?integrationId=${id}&limit=200`))
      .body.data
    const online = sandbox.data.appointments.filter(
      (a) => a.appointmentSourceId === ONLINE_SOURCE_ID
    )
    expect(requests.length).toBe(online.length)
    const requestOf = new Map(requests.map((r: any) => [r.medodsAppointmentId, r.id]))
    const deals = await dealsOf(account, `&integrationId=${id}`)
    expect(deals).toHaveLength(40)
    for (const deal of deals)
      expect(deal.requestId).toBe(requestOf.get(deal.medodsAppointmentId) ?? null)
  })
})
