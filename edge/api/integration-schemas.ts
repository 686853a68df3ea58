import { z } from '@hono/zod-openapi'
import type { Integration } from '../db/schema'
import { attributionOf, defaultAttributionSchema } from '../settings/schema'

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
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})
