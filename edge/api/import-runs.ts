import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { listRuns } from '../db/imports'
import type { ImportRun } from '../db/schema'
import { createRouter } from '../validation'
import { listQuery, pageOf, presentPage } from './pagination'
import { errorResponses, jsonBody } from './schemas'

const iso = (date: Date | null) => date?.toISOString() ?? null

export const importRunSchema = z
  .object({
    id: z.string(),
    integrationId: z.string(),
    kind: z.enum(['requests', 'deals']),
    trigger: z.enum(['cron', 'manual']),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    updatedAtAfter: z.string().openapi({ format: 'date-time', description: 'Medods updatedAtAfter' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    startedAt: z.string().nullable().openapi({ format: 'date-time' }),
    finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
    pages: z.number().int(),
    fetched: z.number().int(),
    stored: z.number().int(),
    matched: z.object({
      sessionId: z.number().int(),
      contact: z.number().int(),
      bookingWindow: z.number().int(),
    }),
    defaulted: z.number().int(),
    defaultReasons: z
      .object({
        noVisitSignal: z.number().int(),
        ambiguous: z.number().int(),
        visitTaken: z.number().int(),
        rungOff: z.number().int(),
        noCreatedAt: z.number().int(),
      })
      .openapi({ description: 'The defaulted requests by reason (see Request.reason)' }),
    malformed: z.number().int(),
    amountUnknown: z.number().int().openapi({ description: 'Deals runs: deals stored with the amount unknown' }),
    retries: z.number().int(),
    medodsRequests: z.number().int(),
    error: z.string().nullable(),
  })
  .openapi('ImportRun')

export const presentRun = (run: ImportRun) => ({
  id: run.id,
  integrationId: run.integrationId,
  kind: run.kind,
  trigger: run.trigger,
  status: run.status,
  updatedAtAfter: new Date(run.updatedAtAfter * 1000).toISOString(),
  createdAt: run.createdAt.toISOString(),
  startedAt: iso(run.startedAt),
  finishedAt: iso(run.finishedAt),
  pages: run.pages,
  fetched: run.fetched,
  stored: run.stored,
  matched: {
    sessionId: run.matchedSessionId,
    contact: run.matchedContact,
    bookingWindow: run.matchedBookingWindow,
  },
  defaulted: run.defaulted,
  defaultReasons: {
    noVisitSignal: run.defaultNoVisitSignal,
    ambiguous: run.defaultAmbiguous,
    visitTaken: run.defaultVisitTaken,
    rungOff: run.defaultRungOff,
    noCreatedAt: run.defaultNoCreatedAt,
  },
  malformed: run.malformed,
  amountUnknown: run.amountUnknown,
  retries: run.retries,
  medodsRequests: run.medodsRequests,
  error: run.error,
})

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['imports'],
  summary: 'Import runs of the account, oldest first',
  request: { query: listQuery.extend({ integrationId: z.string().max(100).optional() }) },
  responses: { 200: jsonBody(pageOf(importRunSchema)), ...errorResponses },
})

export const importRunsApi = createRouter().openapi(list, async (c) => {
  const page = await listRuns(createDb(c.env.DB), c.get('accountId'), c.req.valid('query'))
  return c.json(presentPage(page, presentRun), 200)
})
