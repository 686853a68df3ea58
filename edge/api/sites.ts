import { z } from '@hono/zod-openapi'
import { findSite, insertSite, updateSite } from '../db/catalogue'
import { createDb } from '../db/client'
import { closedShards, placementsOf, shardForNewSite, visitShards } from '../db/shards'
import { deleteSiteVisits } from '../db/visits'
import { ensureAccount, listSites } from '../db/queries'
import type { Site } from '../db/schema'
import { createRouter } from '../validation'
import { catalogueRoutes, deleteCatalogueRow, nameField, notFound } from './catalogue'
import { normalizeDomain } from './domain'
import { presentPage } from './pagination'

/** Statements a site's deletion runs on its shard: 200,000 sessions, within an invocation's 1,000 queries. */
const SITE_DELETE_SLICES = 200

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

const domainField = z
  .string()
  .max(2000)
  .refine((value) => normalizeDomain(value) !== undefined, 'must be a host name like clinic.ru')
  .openapi({
    example: 'clinic.ru',
    description: 'A host name; a pasted URL is reduced to its host (lowercased, no port or path)',
  })

const siteInput = z.object({ name: nameField, domain: domainField }).openapi('SiteInput')
const sitePatch = siteInput.partial().openapi('SitePatch')

/** 18 random bytes as base64url: public, but unguessable so a site's key cannot be enumerated. */
function newSiteKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
}

const { list, create, read, patch, remove } = catalogueRoutes({
  tag: 'sites',
  item: siteSchema,
  input: siteInput,
  patch: sitePatch,
  summary: {
    list: "The account's sites",
    create: 'Add a site; it gets a random public siteKey',
    read: 'One site',
    patch: 'Rename a site or change its domain (the siteKey stays)',
    remove: 'Delete a site no integration uses',
  },
})

export const sitesApi = createRouter()
  .openapi(list, async (c) => {
    const page = await listSites(createDb(c.env.DB), c.get('accountId'), c.req.valid('query'))
    return c.json(presentPage(page, presentSite), 200)
  })
  .openapi(create, async (c) => {
    const { name, domain } = c.req.valid('json')
    const db = createDb(c.env.DB)
    await ensureAccount(db, c.get('accountId'))
    const shard = await shardForNewSite(db, visitShards(c.env), closedShards(c.env.CLOSED_VISIT_SHARDS))
    const site = await insertSite(db, c.get('accountId'), {
      name,
      domain: normalizeDomain(domain)!,
      siteKey: newSiteKey(),
      shard,
    })
    return c.json(presentSite(site), 201)
  })
  .openapi(read, async (c) => {
    const site = await findSite(createDb(c.env.DB), c.get('accountId'), c.req.valid('param').id)
    return c.json(presentSite(site ?? notFound('Site')), 200)
  })
  .openapi(patch, async (c) => {
    const { name, domain } = c.req.valid('json')
    const changes = { name, domain: domain === undefined ? undefined : normalizeDomain(domain)! }
    const db = createDb(c.env.DB)
    const site = await updateSite(db, c.get('accountId'), c.req.valid('param').id, changes)
    return c.json(presentSite(site ?? notFound('Site')), 200)
  })
  .openapi(remove, async (c) => {
    const db = createDb(c.env.DB)
    const { id } = c.req.valid('param')
    const placement = (await placementsOf(db, [id])).get(id)
    await deleteCatalogueRow(db, 'site', c.get('accountId'), id)
    // After the row: what is not deleted here (a failure, or a site too big for one request) is left
    // to retention, and no site ever reads it (a key is never drawn again); before it, a refused delete
    // would have lost the site's visits. Every shard, as a move in progress has the site on two.
    for (const shard of visitShards(c.env)) {
      await deleteSiteVisits(shard, placement!.visitsKey, SITE_DELETE_SLICES)
    }
    return c.body(null, 204)
  })
