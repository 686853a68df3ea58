import { z } from '@hono/zod-openapi'
import type { Integration } from '../db/schema'
import { REPORT_ITEMS } from '../imports/connection-report'
import { attributionOf, defaultAttributionSchema } from '../settings/schema'

const reportItems = z
  .array(
    z.object({
      item: z.enum(REPORT_ITEMS),
      status: z.enum(['ok', 'missing', 'not_understood']),
      message: z.string().openapi({ description: 'What was found, for a person (Russian)' }),
    })
  )
  .openapi({ description: 'With a working key: each thing the imports read, as found' })

const checkVariants = <T extends z.ZodRawShape>(extra: T) =>
  [
    z.object({ ok: z.literal(true), items: reportItems, ...extra }),
    z.object({
      ok: z.literal(false),
      reason: z.enum(['bad_credentials', 'no_api_rights', 'unreachable', 'not_medods']),
      message: z.string().openapi({ description: 'What to fix, for a person (Russian)' }),
      items: reportItems,
      ...extra,
    }),
  ] as const

export const checkResultSchema = z.union(checkVariants({})).openapi('IntegrationCheck')

const lastCheckSchema = z
  .union(checkVariants({ at: z.string().openapi({ format: 'date-time', description: 'When it ran' }) }))
  .nullable()
  .openapi({ description: 'The last check (POST /check, or the settings page), read-only' })

export const integrationSchema = z
  .object({
    id: z.string(),
    kind: z.literal('medods'),
    active: z.boolean(),
    uid: z.string().openapi({ example: 'https://beta45.medods.ru' }),
    identity: z.string(),
    secretKey: z.string().openapi({ example: '••••abcd', description: 'Masked, never the key' }),
    sendRequests: z.boolean(),
    sendDeals: z.boolean(),
    defaultAttribution: defaultAttributionSchema.nullable(),
    onlineSourceIds: z.array(z.number()),
    siteIds: z.array(z.string()),
    lookbackDays: z.number(),
    windowBeforeMinutes: z.number(),
    windowAfterMinutes: z.number(),
    bookingWindowRung: z.enum(['off', 'on']),
    timeZone: z.string(),
    lastRunAt: z.string().nullable().openapi({ format: 'date-time', description: 'Read-only' }),
    lastError: z.string().nullable().openapi({ description: 'Read-only' }),
    lastCheck: lastCheckSchema,
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Integration')

export const installSchema = z
  .object({
    siteId: z.string(),
    script: z.string().openapi({
      example: '<script async src="https://bridge.example/w.js" data-site="…"></script>',
    }),
    instructions: z.array(z.string()),
  })
  .openapi('Install')

export const savedIntegrationSchema = integrationSchema
  .extend({ install: installSchema.nullable() })
  .openapi('SavedIntegration', {
    description: 'The saved integration and the script to install (null while there is no site)',
  })

/** The API view of a row: the SecretKey only as its stored mask, the ciphertext never leaves. */
export const presentIntegration = (row: Integration): z.infer<typeof integrationSchema> => ({
  id: row.id,
  kind: row.kind,
  active: row.active,
  uid: row.uid,
  identity: row.identity,
  secretKey: row.secretKeyMask,
  sendRequests: row.sendRequests,
  sendDeals: row.sendDeals,
  defaultAttribution: attributionOf(row),
  onlineSourceIds: row.onlineSourceIds,
  siteIds: row.siteIds,
  lookbackDays: row.lookbackDays,
  windowBeforeMinutes: row.windowBeforeMinutes,
  windowAfterMinutes: row.windowAfterMinutes,
  bookingWindowRung: row.bookingWindowRung,
  timeZone: row.timeZone,
  lastRunAt: row.lastRunAt ? row.lastRunAt.toISOString() : null,
  lastError: row.lastError,
  lastCheck: (row.lastCheck as z.infer<typeof lastCheckSchema>) ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})
