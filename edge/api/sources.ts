import { z } from '@hono/zod-openapi'
import { findSource, insertSource, listSources, updateSource } from '../db/catalogue'
import { createDb } from '../db/client'
import { ensureAccount } from '../db/queries'
import type { Source } from '../db/schema'
import { createRouter } from '../validation'
import { catalogueRoutes, deleteCatalogueRow, nameField, notFound } from './catalogue'
import { presentPage } from './pagination'

export const sourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Source')

const sourceInput = z.object({ name: nameField }).openapi('SourceInput')

const presentSource = (row: Source) => ({
  id: row.id,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

const { list, create, read, patch, remove } = catalogueRoutes({
  tag: 'sources',
  item: sourceSchema,
  input: sourceInput,
  patch: sourceInput,
  summary: {
    list: "The account's traffic sources",
    create: 'Add a source',
    read: 'One source',
    patch: 'Rename a source',
    remove: 'Delete a source no integration uses as its default',
  },
})

export const sourcesApi = createRouter()
  .openapi(list, async (c) => {
    const page = await listSources(createDb(c.env.DB), c.get('accountId'), c.req.valid('query'))
    return c.json(presentPage(page, presentSource), 200)
  })
  .openapi(create, async (c) => {
    const db = createDb(c.env.DB)
    await ensureAccount(db, c.get('accountId'))
    const row = await insertSource(db, c.get('accountId'), c.req.valid('json'))
    return c.json(presentSource(row), 201)
  })
  .openapi(read, async (c) => {
    const row = await findSource(createDb(c.env.DB), c.get('accountId'), c.req.valid('param').id)
    return c.json(presentSource(row ?? notFound('Source')), 200)
  })
  .openapi(patch, async (c) => {
    const db = createDb(c.env.DB)
    const { id } = c.req.valid('param')
    const row = await updateSource(db, c.get('accountId'), id, c.req.valid('json'))
    return c.json(presentSource(row ?? notFound('Source')), 200)
  })
  .openapi(remove, async (c) => {
    const db = createDb(c.env.DB)
    await deleteCatalogueRow(db, 'source', c.get('accountId'), c.req.valid('param').id)
    return c.body(null, 204)
  })
