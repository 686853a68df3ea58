import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { findIntegration } from '../db/integrations'
import { ApiError } from '../errors'
import { startManualRuns } from '../imports/run-now'
import { createRouter } from '../validation'
import { conflictResponse, idParams } from './catalogue'
import { importRunSchema, presentRun } from './import-runs'
import { bodyErrorResponses, jsonBody } from './schemas'

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
    ...bodyErrorResponses,
  },
})

export const integrationRunApi = createRouter().openapi(run, async (c) => {
  const { id } = c.req.valid('param')
  const body = c.req.valid('json') ?? {}
  const db = createDb(c.env.DB)
  const integration = await findIntegration(db, c.get('accountId'), id)
  if (!integration) throw new ApiError('not_found', 'Integration not found')

  const since = body.since ? new Date(body.since) : undefined
  const runs = await startManualRuns(db, c.env.IMPORTS, integration, { kind: body.kind, since })
  return c.json({ data: runs.map(presentRun) }, 202)
})
