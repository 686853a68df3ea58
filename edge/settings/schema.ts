import { z } from '@hono/zod-openapi'
import type { Integration } from '../db/schema'

// The integration settings as both the API and the pages take them: one schema, one set of defaults.

/** Matching settings used when a request leaves them out (product-spec §4). */
export const MATCHING_DEFAULTS = {
  lookbackDays: 30,
  windowBeforeMinutes: 30,
  windowAfterMinutes: 5,
  // On: a used drawer open at the booking is ≥ 99% precise at 5 bookings an hour (BENCHMARKS.md).
  bookingWindowRung: 'on' as 'off' | 'on',
  timeZone: 'Europe/Moscow',
}

/** An IANA zone the runtime knows ("Europe/Moscow", "Asia/Yekaterinburg"). */
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone })
      return true
    } catch {
      return false
    }
  }, 'must be an IANA time zone such as Europe/Moscow')
  .openapi({
    default: MATCHING_DEFAULTS.timeZone,
    description: "The clinic's time zone: Medods times without a UTC offset are read in it",
  })

export const defaultAttributionSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('campaign'), campaignId: z.string().min(1).max(64) }),
    z.object({
      kind: z.literal('source'),
      sourceId: z.string().min(1).max(64),
      siteId: z.string().min(1).max(64),
    }),
  ])
  .openapi('DefaultAttribution', {
    description: 'Where bookings no session explains go: a campaign, or a source + site',
  })

const minutes = (fallback: number, what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(1440)
    .openapi({ default: fallback, description: `Minutes ${what} a booking's creation to match` })

/** Every writable field, none defaulted here: create applies defaults, PATCH keeps the rest. */
const settingsFields = {
  active: z.boolean().openapi({ default: true, description: 'The daily import runs' }),
  uid: z.string().max(300).openapi({ example: 'https://beta45.medods.ru/' }),
  identity: z.string().trim().min(1).max(200),
  secretKey: z
    .string()
    .trim()
    .min(1)
    .max(512)
    .openapi({ description: 'Write-only: reads show a mask; PATCH without it keeps the key' }),
  sendRequests: z.boolean().openapi({ default: false }),
  sendDeals: z.boolean().openapi({ default: false }),
  defaultAttribution: defaultAttributionSchema.nullable(),
  onlineSourceIds: z
    .array(z.number().int().positive())
    .max(100)
    .openapi({ default: [], description: 'Medods online-booking source ids; [] = by title' }),
  siteIds: z
    .array(z.string().min(1).max(64))
    .max(50)
    .openapi({ default: [], description: 'Sites whose sessions bookings match; [] = all' }),
  lookbackDays: z.number().int().min(1).max(365).openapi({ default: 30 }),
  windowBeforeMinutes: minutes(MATCHING_DEFAULTS.windowBeforeMinutes, 'before'),
  windowAfterMinutes: minutes(MATCHING_DEFAULTS.windowAfterMinutes, 'after'),
  bookingWindowRung: z.enum(['off', 'on']).openapi({
    default: 'on',
    description:
      'Match a booking to the only session whose booking drawer was open and used at its creation ' +
      '(or that followed a booking link within the window around it)',
  }),
  timeZone,
}

export const integrationInput = z
  .object({ ...settingsFields, kind: z.literal('medods').optional() })
  .partial()
  .required({ uid: true, identity: true, secretKey: true })
  .openapi('IntegrationInput')

export const integrationPatch = z.object(settingsFields).partial().openapi('IntegrationPatch')

export type IntegrationInput = z.infer<typeof integrationInput>
export type IntegrationPatch = z.infer<typeof integrationPatch>

export type DefaultAttribution = z.infer<typeof defaultAttributionSchema>

/** The default attribution of a stored row, as the settings spell it. */
export function attributionOf(row: Integration): DefaultAttribution | null {
  if (row.defaultCampaignId) return { kind: 'campaign', campaignId: row.defaultCampaignId }
  if (row.defaultSourceId && row.defaultSiteId) {
    return { kind: 'source', sourceId: row.defaultSourceId, siteId: row.defaultSiteId }
  }
  return null
}
