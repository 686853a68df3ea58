import { createRoute, z } from '@hono/zod-openapi'
import { listSites } from '../db/queries'
import { createDb } from '../db/client'
import type { Site } from '../db/schema'
import { createRouter } from '../validation'
import { pageOf, pageQuery, toPage } from './pagination'
import { errorResponses, jsonBody } from './schemas'

export const siteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    domain: z.string().openapi({ example: 'clinic.ru' }),
    siteKey: z.string().openapi({ description: 'Public key the widget sends as data-site' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Site')

export const presentSite = (site: Site) => ({
  id: site.id,
  name: site.name,
  domain: site.domain,
  siteKey: site.siteKey,
  createdAt: site.createdAt.toISOString(),
  updatedAt: site.updatedAt.toISOString(),
})

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['sites'],
  summary: "The account's sites",
  request: { query: pageQuery },
  responses: { 200: jsonBody(pageOf(siteSchema)), ...errorResponses },
})

export const sitesApi = createRouter().openapi(list, async (c) => {
  const { limit, cursor } = c.req.valid('query')
  const rows = await listSites(createDb(c.env.DB), c.get('accountId'), { limit: limit + 1, cursor })
  const page = toPage(rows, limit, (s) => ({ at: s.createdAt.getTime(), id: s.id }), presentSite)
  return c.json(page, 200)
})
