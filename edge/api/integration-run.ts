import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { createRun, findOpenRun } from '../db/imports'
import { findIntegration } from '../db/integrations'
import type { ImportRun } from '../db/schema'
import { ApiError } from '../errors'
import { enqueueJobs } from '../imports/jobs'
import { startCursor } from '../imports/run'
import { createRouter } from '../validation'
import { conflictResponse, idParams } from './catalogue'
import { importRunSchema, presentRun } from './import-runs'
import { errorResponses, jsonBody } from './schemas'

const runBody = z
  .object({
    kind: z.enum(['requests', 'deals']).optional().openapi({
      description: 'One kind only; by default every kind the integration sends',
    }),
    since: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Backfill: import what Medods changed after this moment' }),
  })
  .strict()

const run = createRoute({
  method: 'post',
  path: '/{id}/run',
  tags: ['integrations'],
  summary: 'Run now: queues an import through the same queue as the daily cron',
  request: {
    params: idParams,
    body: { content: { 'application/json': { schema: runBody } }, required: false },
  },
  responses: {
    202: jsonBody(z.object({ data: z.array(importRunSchema) }), 'The queued (or already open) runs'),
    409: { ...conflictResponse[409], description: 'The integration sends nothing' },
    ...errorResponses,
  },
})

export const integrationRunApi = createRouter().openapi(run, async (c) => {
  const { id } = c.req.valid('param')
  const body = c.req.valid('json') ?? {}
  const db = createDb(c.env.DB)
  const integration = await findIntegration(db, c.get('accountId'), id)
  if (!integration) throw new ApiError('not_found', 'Integration not found')

  const enabled: ImportRun['kind'][] = []
  if (integration.sendRequests) enabled.push('requests')
  if (integration.sendDeals) enabled.push('deals')
  const kinds = body.kind ? enabled.filter((kind) => kind === body.kind) : enabled
  if (kinds.length === 0) {
    throw new ApiError('conflict', 'Nothing to import: switch on sendRequests or sendDeals first')
  }

  const now = new Date()
  const since = body.since ? new Date(body.since) : undefined
  const runs: ImportRun[] = []
  for (const kind of kinds) {
    // An open run of the same kind already covers "now": pressing the button twice queues nothing more.
    const open = await findOpenRun(db, integration.id, kind)
    if (open) {
      runs.push(open)
      continue
    }
    const created = await createRun(db, {
      id: crypto.randomUUID(),
      accountId: integration.accountId,
      integrationId: integration.id,
      kind,
      trigger: 'manual',
      status: 'queued',
      updatedAtAfter: startCursor(integration, kind, now, since),
    })
    await enqueueJobs(c.env.IMPORTS, [
      { kind, integrationId: integration.id, scheduledAt: now.getTime(), runId: created.id },
    ])
    runs.push(created)
  }
  return c.json({ data: runs.map(presentRun) }, 202)
})
