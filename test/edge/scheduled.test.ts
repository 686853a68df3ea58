import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import worker from '../../edge/index'

afterEach(() => vi.restoreAllMocks())

beforeAll(async () => {
  const insert = env.DB.prepare(
    `INSERT INTO integrations (id, account_id, kind, active, uid, identity, secret_key_enc, send_requests, send_deals)
     VALUES (?, 'acc', 'medods', ?, 'https://c.medods.ru/', 'id', 'enc', ?, ?)`
  )
  await env.DB.batch([
    env.DB.prepare("INSERT INTO accounts (id) VALUES ('acc')"),
    insert.bind('both', 1, 1, 1),
    insert.bind('requests-only', 1, 1, 0),
    insert.bind('inactive', 0, 1, 1),
    insert.bind('nothing-to-send', 1, 0, 0),
  ])
})

describe('the daily cron', () => {
  it('only enqueues one job per active integration and switched-on kind', async () => {
    const sent = vi.spyOn(env.IMPORTS, 'sendBatch')
    const scheduledTime = new Date('2026-11-28T03:00:00Z')
    const controller = createScheduledController({ scheduledTime, cron: '0 3 * * *' })
    const ctx = createExecutionContext()

    worker.scheduled(controller, env, ctx)
    await waitOnExecutionContext(ctx)

    const bodies = sent.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body))
    expect(bodies).toHaveLength(3)
    expect(bodies).toEqual(
      expect.arrayContaining([
        { kind: 'requests', integrationId: 'both', scheduledAt: scheduledTime.getTime() },
        { kind: 'deals', integrationId: 'both', scheduledAt: scheduledTime.getTime() },
        { kind: 'requests', integrationId: 'requests-only', scheduledAt: scheduledTime.getTime() },
      ])
    )
  })
})

describe('the imports queue consumer', () => {
  it('acks a malformed message instead of retrying it forever', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const batch = createMessageBatch('medods-imports', [
      { id: 'm1', timestamp: new Date(), attempts: 1, body: { kind: 'nonsense' } },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env)
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks).toEqual(['m1'])
    expect(result.retryMessages).toEqual([])
  })
})
