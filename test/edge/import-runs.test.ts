import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runImportJob } from '../../edge/imports/run'
import worker from '../../edge/index'
import { createMedodsSandbox } from '../../sandbox/medods'
import { send } from './settings-helpers'
import { captureImportJobs, importDeps, setUpClinic } from './support/import-fixtures'
import { routeGlobalFetch } from './support/medods-sandbox'

afterEach(() => vi.restoreAllMocks())

const captureQueue = () => captureImportJobs().jobs

describe('POST /api/v1/integrations/:id/run', () => {
  it('queues a manual run through the imports queue, and the runs list shows its progress', async () => {
    const account = 'acc-run-now'
    const sandbox = createMedodsSandbox({ counts: { clients: 5, appointments: 30 } })
    const { integrationId } = await setUpClinic(account)
    const jobs = captureQueue()

    const since = new Date(Date.now() - 90 * 86_400_000).toISOString()
    const queued = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`, { since })
    expect(queued.status).toBe(202)
    const [run] = queued.body.data
    expect(run).toMatchObject({ integrationId, kind: 'requests', trigger: 'manual', status: 'queued' })
    expect(run.updatedAtAfter).toBe(new Date(Math.floor(Date.parse(since) / 1000) * 1000).toISOString())
    expect(jobs).toEqual([{ kind: 'requests', integrationId, scheduledAt: expect.any(Number), runId: run.id }])

    const again = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`)
    expect(again.body.data.map((r: { id: string }) => r.id)).toEqual([run.id])
    expect(jobs).toHaveLength(1)

    await runImportJob(importDeps(sandbox), jobs[0]!)
    const runs = await send(account, 'GET', `/api/v1/import-runs?integrationId=${integrationId}`)
    expect(runs.status).toBe(200)
    expect(runs.body.data).toHaveLength(1)
    expect(runs.body.data[0]).toMatchObject({ id: run.id, status: 'succeeded', error: null })
    expect(runs.body.data[0].finishedAt).not.toBeNull()
    expect(runs.body.data[0].stored).toBeGreaterThan(0)
  })

  it('answers 409 when the integration sends nothing, 404 for another account, 400 for a bad since', async () => {
    const account = 'acc-run-rules'
    const { integrationId } = await setUpClinic(account)
    captureQueue()
    const bad = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`, { since: 'yesterday' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^since:/)
    const foreign = await send('acc-someone-else', 'POST', `/api/v1/integrations/${integrationId}/run`)
    expect(foreign.status).toBe(404)
    const foreignRuns = await send('acc-someone-else', 'GET', `/api/v1/import-runs?integrationId=${integrationId}`)
    expect(foreignRuns.body.data).toEqual([])

    await send(account, 'PATCH', `/api/v1/integrations/${integrationId}`, { sendRequests: false })
    const nothing = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`)
    expect(nothing.status).toBe(409)
    expect(nothing.body.error.code).toBe('conflict')
  })
})

describe('a stalled run', () => {
  it('is taken over by "Run now" and resumed from its committed offset, not left running', async () => {
    const account = 'acc-run-stalled'
    const sandbox = createMedodsSandbox({ counts: { clients: 20, appointments: 250 } })
    const { integrationId } = await setUpClinic(account)
    const jobs = captureQueue()
    const since = new Date(Date.now() - 90 * 86_400_000).toISOString()
    const queued = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`, { since })
    const runId = queued.body.data[0].id

    // One page, then the worker dies: its continuation message is lost.
    await runImportJob({ ...importDeps(sandbox), pagesPerInvocation: 1 }, jobs.shift()!)
    expect(jobs).toHaveLength(1)
    jobs.length = 0
    const fresh = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`)
    expect(fresh.body.data.map((r: { id: string }) => r.id)).toEqual([runId])
    expect(jobs).toHaveLength(0)

    const longAgo = Date.now() - 30 * 60_000
    await env.DB.prepare('UPDATE import_runs SET progress_at = ? WHERE id = ?').bind(longAgo, runId).run()
    const takeover = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`)
    expect(takeover.body.data.map((r: { id: string }) => r.id)).toEqual([runId])
    expect(jobs).toEqual([{ kind: 'requests', integrationId, scheduledAt: expect.any(Number), runId }])
    const twice = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`)
    expect(twice.body.data[0].id).toBe(runId)
    expect(jobs).toHaveLength(1)

    while (jobs.length > 0) await runImportJob(importDeps(sandbox), jobs.shift()!)
    const runs = await send(account, 'GET', `/api/v1/import-runs?integrationId=${integrationId}`)
    expect(runs.body.data).toHaveLength(1)
    // Three pages of 100, 100, 50: the resumed slices went on from the committed page, none read twice.
    expect(runs.body.data[0]).toMatchObject({ id: runId, status: 'succeeded', pages: 3 })
    const requests = await send(account, 'GET', `/api/v1/requests?integrationId=${integrationId}&limit=200`)
    expect(runs.body.data[0].stored).toBe(requests.body.data.length)
    expect(requests.body.data.length).toBeGreaterThan(0)
  })
})

describe('the imports queue consumer', () => {
  it('imports one integration while another one fails, without touching it', async () => {
    const sandbox = createMedodsSandbox({ counts: { clients: 5, appointments: 30 } })
    routeGlobalFetch(sandbox)
    const good = await setUpClinic('acc-good')
    const broken = await setUpClinic('acc-broken', { secretKey: '0'.repeat(64) })
    const scheduledAt = Date.now()
    const batch = createMessageBatch('medods-imports', [
      { id: 'broken', timestamp: new Date(), attempts: 1, body: { kind: 'requests', integrationId: broken.integrationId, scheduledAt } },
      { id: 'good', timestamp: new Date(), attempts: 1, body: { kind: 'requests', integrationId: good.integrationId, scheduledAt } },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env)
    const result = await getQueueResult(batch, ctx)

    // Bad credentials are final: acked, not retried into a storm.
    expect(result.explicitAcks.sort()).toEqual(['broken', 'good'])
    const status = async (account: string, id: string) =>
      (await send(account, 'GET', `/api/v1/import-runs?integrationId=${id}`)).body.data[0]
    expect(await status('acc-broken', broken.integrationId)).toMatchObject({ status: 'failed' })
    expect(await status('acc-good', good.integrationId)).toMatchObject({ status: 'succeeded', error: null })
    const goodRequests = await send('acc-good', 'GET', `/api/v1/requests?integrationId=${good.integrationId}`)
    expect(goodRequests.body.data.length).toBeGreaterThan(0)
    const brokenShown = await send('acc-broken', 'GET', `/api/v1/integrations/${broken.integrationId}`)
    expect(brokenShown.body.lastError).toMatch(/401/)
  })
})
