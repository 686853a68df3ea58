import { z } from '@hono/zod-openapi'
import { findCampaign, insertCampaign, listCampaigns, updateCampaign } from '../db/catalogue'
import { createDb } from '../db/client'
import { ensureAccount } from '../db/queries'
import type { Campaign } from '../db/schema'
import { createRouter } from '../validation'
import { catalogueRoutes, deleteCatalogueRow, nameField, notFound } from './catalogue'
import { presentPage } from './pagination'

const rule = (tag: string) =>
  z
    .string()
    .trim()
    .max(200)
    .nullable()
    .openapi({ description: `Exact ${tag} to match (case-insensitive); null or "" = any` })

export const campaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    utmSource: z.string().nullable(),
    utmMedium: z.string().nullable(),
    utmCampaign: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Campaign', {
    description:
      'A session belongs to the campaign whose every non-null rule equals its UTM tag; the most ' +
      'specific campaign wins. A campaign without rules matches no session (it can be a default).',
  })

const campaignInput = z
  .object({
    name: nameField,
    utmSource: rule('utm_source').optional(),
    utmMedium: rule('utm_medium').optional(),
    utmCampaign: rule('utm_campaign').optional(),
  })
  .openapi('CampaignInput')
const campaignPatch = campaignInput.partial().openapi('CampaignPatch')

const presentCampaign = (row: Campaign) => ({
  id: row.id,
  name: row.name,
  utmSource: row.utmSource,
  utmMedium: row.utmMedium,
  utmCampaign: row.utmCampaign,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

/** Rules are stored lowercased with "" as null, so the importer compares like with like. */
const storedRule = (value: string | null | undefined) =>
  value === undefined ? undefined : value ? value.toLowerCase() : null

const storedRules = (input: z.infer<typeof campaignPatch>) => ({
  name: input.name,
  utmSource: storedRule(input.utmSource),
  utmMedium: storedRule(input.utmMedium),
  utmCampaign: storedRule(input.utmCampaign),
})

const { list, create, read, patch, remove } = catalogueRoutes({
  tag: 'campaigns',
  item: campaignSchema,
  input: campaignInput,
  patch: campaignPatch,
  summary: {
    list: "The account's advertising campaigns",
    create: 'Add a campaign with optional UTM matching rules',
    read: 'One campaign',
    patch: 'Change a campaign; a rule set to null matches any value',
    remove: 'Delete a campaign no integration uses as its default',
  },
})

export const campaignsApi = createRouter()
  .openapi(list, async (c) => {
    const page = await listCampaigns(createDb(c.env.DB), c.get('accountId'), c.req.valid('query'))
    return c.json(presentPage(page, presentCampaign), 200)
  })
  .openapi(create, async (c) => {
    const { name, ...rules } = storedRules(c.req.valid('json'))
    const db = createDb(c.env.DB)
    await ensureAccount(db, c.get('accountId'))
    const row = await insertCampaign(db, c.get('accountId'), {
      name: name!,
      utmSource: rules.utmSource ?? null,
      utmMedium: rules.utmMedium ?? null,
      utmCampaign: rules.utmCampaign ?? null,
    })
    return c.json(presentCampaign(row), 201)
  })
  .openapi(read, async (c) => {
    const row = await findCampaign(createDb(c.env.DB), c.get('accountId'), c.req.valid('param').id)
    return c.json(presentCampaign(row ?? notFound('Campaign')), 200)
  })
  .openapi(patch, async (c) => {
    const changes = storedRules(c.req.valid('json'))
    const db = createDb(c.env.DB)
    const row = await updateCampaign(db, c.get('accountId'), c.req.valid('param').id, changes)
    return c.json(presentCampaign(row ?? notFound('Campaign')), 200)
  })
  .openapi(remove, async (c) => {
    const db = createDb(c.env.DB)
    await deleteCatalogueRow(db, 'campaign', c.get('accountId'), c.req.valid('param').id)
    return c.body(null, 204)
  })
