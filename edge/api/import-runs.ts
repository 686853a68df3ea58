import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { listRuns } from '../db/imports'
import { AMOUNT_SOURCES, type AmountSource, type ImportRun } from '../db/schema'
import { createRouter } from '../validation'
import { listQuery, pageOf, presentPage } from './pagination'
import { errorResponses, jsonBody } from './schemas'

type AmountCounts = { [K in AmountSource]: z.ZodNumber }

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
    malformedIds: z
      .array(z.string())
      .openapi({ example: ['appointments/5003'], description: 'The first 20 records skipped as malformed' }),
    amountUnknown: z.number().int().openapi({ description: 'Deals runs: deals stored with the amount unknown' }),
    amountUnknownReason: z
      .string()
      .nullable()
      .openapi({ example: 'order 9005: not found or not understood', description: 'Why the first of them has none' }),
    amountFrom: z
      .object(Object.fromEntries(AMOUNT_SOURCES.map((source) => [source, z.number().int()])) as AmountCounts)
      .openapi({
        description:
          'Deals runs: deals by where the amount came from, in the order tried: the order\'s total, ' +
          'finalSum, sum, the sum of its lines; no_order = no order (0)',
      }),
    listCut: z.string().nullable().openapi({
      description: 'Why the list ended before Medods said it would: a repeated page (offset ignored) or the page ceiling',
    }),
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
  malformedIds: run.details.malformedIds ?? [],
  amountUnknown: run.amountUnknown,
  amountUnknownReason: run.details.amountUnknownReason ?? null,
  amountFrom: Object.fromEntries(AMOUNT_SOURCES.map((source) => [source, run.details.amountFrom?.[source] ?? 0])) as {
    [K in AmountSource]: number
  },
  listCut: run.details.listCut ?? null,
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
