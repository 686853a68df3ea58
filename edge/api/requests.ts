import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { listRequests } from '../db/requests'
import { DEFAULT_REASONS, type RequestRow } from '../db/schema'
import { createRouter } from '../validation'
import { listQuery, pageOf, presentPage } from './pagination'
import { errorResponses, jsonBody } from './schemas'

const MATCH_METHODS = ['session_id', 'contact', 'booking_window', 'default'] as const

const attributionSchema = z.object({
  source: z.string(),
  medium: z.string(),
  campaign: z.string(),
  content: z.string(),
  term: z.string(),
  utmId: z.string(),
  clickIds: z.record(z.string(), z.string()),
  landingUrl: z.string(),
  referrer: z.string(),
})

export const requestSchema = z
  .object({
    id: z.string(),
    integrationId: z.string(),
    medodsAppointmentId: z.number().int(),
    createdAt: z.string().openapi({
      format: 'date-time',
      description: "The booking's creation in Medods, or when the import first saw it (createdAtKnown false)",
    }),
    createdAtKnown: z.boolean(),
    name: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: 'E.164 digits, e.g. 79991234567' }),
    email: z.string().nullable(),
    doctor: z.string().nullable(),
    status: z.string().nullable().openapi({ description: 'Medods appointment status' }),
    matchMethod: z.enum(MATCH_METHODS),
    candidates: z.number().int(),
    reason: z.enum(DEFAULT_REASONS).nullable().openapi({
      description:
        'Why a default is a default (null for a match): no_visit_signal — no carried id, contact or used ' +
        'booking-widget opening was found; ambiguous — several visits had the booking widget open and used ' +
        'at the creation time; visit_taken — the one visit that fits explains another booking; rung_off — ' +
        'no carried id or contact, and the booking-window rung is off; no_created_at — Medods gave no creation ' +
        'time, so the booking-window rung cannot apply',
    }),
    sessionId: z.string().nullable(),
    campaignId: z.string().nullable(),
    sourceId: z.string().nullable(),
    siteId: z.string().nullable(),
    attribution: attributionSchema.nullable().openapi({ description: "The matched session's attribution" }),
    importedAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Request')

const presentRequest = (row: RequestRow) => ({
  id: row.id,
  integrationId: row.integrationId,
  medodsAppointmentId: row.medodsAppointmentId,
  createdAt: row.createdAt.toISOString(),
  createdAtKnown: row.createdAtKnown,
  name: row.name,
  phone: row.phone,
  email: row.email,
  doctor: row.doctor,
  status: row.status,
  matchMethod: row.matchMethod,
  candidates: row.candidates,
  reason: row.matchMethod === 'default' ? (row.defaultReason ?? 'no_visit_signal') : null,
  sessionId: row.sessionId,
  campaignId: row.campaignId,
  sourceId: row.sourceId,
  siteId: row.siteId,
  attribution: row.attribution ?? null,
  importedAt: row.importedAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['requests'],
  summary: 'Online-booking requests with their attribution, by creation time',
  request: {
    query: listQuery.extend({
      integrationId: z.string().max(100).optional(),
      matchMethod: z.enum(MATCH_METHODS).optional(),
      campaignId: z.string().max(100).optional(),
      sourceId: z.string().max(100).optional(),
    }),
  },
  responses: { 200: jsonBody(pageOf(requestSchema)), ...errorResponses },
})

export const requestsApi = createRouter().openapi(list, async (c) => {
  const page = await listRequests(createDb(c.env.DB), c.get('accountId'), c.req.valid('query'))
  return c.json(presentPage(page, presentRequest), 200)
})
