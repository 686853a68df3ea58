import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { historyOf, listDeals, type DealListRow } from '../db/deal-reads'
import { createRouter } from '../validation'
import { pageOf, pageQuery, presentPage } from './pagination'
import { presentStage, stageSchema } from './pipelines'
import { errorResponses, jsonBody } from './schemas'

const dateTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value))
const iso = (date: Date | null) => date?.toISOString() ?? null
const at = (description: string) => z.string().openapi({ format: 'date-time', description })

const historySchema = z.object({
  fromStageId: z
    .string()
    .nullable()
    .openapi({ description: 'null for the stage a deal was first seen in' }),
  toStageId: z.string(),
  at: at('When the import first saw the deal in this stage'),
})

const dealSchema = z
  .object({
    id: z.string(),
    integrationId: z.string(),
    pipelineId: z.string(),
    medodsAppointmentId: z.number().int(),
    title: z.string().openapi({ example: 'Первичный прием — Иванова Анна Петровна' }),
    amount: z.number().nullable().openapi({ description: 'From the Medods order; null = unknown' }),
    currency: z.literal('RUB'),
    stage: stageSchema,
    contact: z
      .object({
        medodsClientId: z.number().int(),
        name: z.string(),
        phones: z.array(z.string()).openapi({ description: 'E.164 digits, e.g. 79991234567' }),
        emails: z.array(z.string()),
      })
      .nullable(),
    manager: z.object({ medodsUserId: z.number().int(), name: z.string() }).nullable(),
    requestId: z
      .string()
      .nullable()
      .openapi({ description: 'The request of the same appointment' }),
    createdAt: at("The appointment's creation in Medods, or when the import first saw it"),
    createdAtKnown: z.boolean(),
    modifiedAt: at('When an import last saw the deal change'),
    stageChangedAt: at('When an import first saw the current stage'),
    closedAt: at('When the deal entered a success or failed stage').nullable(),
    history: z.array(historySchema).optional().openapi({ description: 'With ?include=history' }),
  })
  .openapi('Deal')

function present({ deal, stage, contact, managerName, requestId }: DealListRow) {
  return {
    id: deal.id,
    integrationId: deal.integrationId,
    pipelineId: deal.pipelineId,
    medodsAppointmentId: deal.medodsAppointmentId,
    title: deal.title,
    amount: deal.amount,
    currency: 'RUB' as const,
    stage: presentStage(stage),
    contact:
      contact && deal.medodsClientId !== null
        ? {
            medodsClientId: deal.medodsClientId,
            name: contact.name,
            phones: contact.phone ? [contact.phone] : [],
            emails: contact.email ? [contact.email] : [],
          }
        : null,
    manager:
      managerName !== null && deal.medodsUserId !== null
        ? { medodsUserId: deal.medodsUserId, name: managerName }
        : null,
    requestId,
    createdAt: deal.createdAt.toISOString(),
    createdAtKnown: deal.createdAtKnown,
    modifiedAt: deal.modifiedAt.toISOString(),
    stageChangedAt: deal.stageChangedAt.toISOString(),
    closedAt: iso(deal.closedAt),
  }
}

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['deals'],
  summary: 'Deals by modification time',
  description:
    'Ordered by (modifiedAt, id) with a keyset cursor. modifiedAt only moves forward, so a walk never ' +
    'skips a deal; a deal an import changes during the walk moves behind the cursor and is listed again ' +
    'with its new state. Walk with modifiedFrom set to the last modifiedAt seen to follow changes.',
  request: {
    query: pageQuery.extend({
      integrationId: z.string().max(100).optional(),
      modifiedFrom: dateTime.optional().openapi({ type: 'string', format: 'date-time' }),
      modifiedTo: dateTime.optional().openapi({ type: 'string', format: 'date-time' }),
      stageId: z.string().max(100).optional(),
      pipelineId: z.string().max(100).optional(),
      include: z
        .enum(['history'])
        .optional()
        .openapi({ description: 'history: add each stage history' }),
    }),
  },
  responses: { 200: jsonBody(pageOf(dealSchema)), ...errorResponses },
})

export const dealsApi = createRouter().openapi(list, async (c) => {
  const { include, ...filter } = c.req.valid('query')
  const db = createDb(c.env.DB)
  const page = presentPage(await listDeals(db, c.get('accountId'), filter), present)
  if (include !== 'history') return c.json(page, 200)
  const history = await historyOf(
    db,
    page.data.map((deal) => deal.id)
  )
  const data = page.data.map((deal) => ({
    ...deal,
    history: history
      .filter((h) => h.dealId === deal.id)
      .map((h) => ({ fromStageId: h.fromStageId, toStageId: h.toStageId, at: h.at.toISOString() })),
  }))
  return c.json({ ...page, data }, 200)
})
