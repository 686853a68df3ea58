import { createRoute, z } from '@hono/zod-openapi'
import { findSource, insertSource, listSources, updateSource } from '../db/catalogue'
import { createDb } from '../db/client'
import { ensureAccount } from '../db/queries'
import type { Source } from '../db/schema'
import { createRouter } from '../validation'
import {
  conflictResponse,
  deleteCatalogueRow,
  deletedResponse,
  idParams,
  nameField,
  notFound,
} from './catalogue'
import { listQuery, pageOf, toPage } from './pagination'
import { bodyErrorResponses, errorResponses, jsonBody } from './schemas'

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

const tags = ['sources']
const body = { content: { 'application/json': { schema: sourceInput } }, required: true }

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "The account's traffic sources",
  request: { query: listQuery },
  responses: { 200: jsonBody(pageOf(sourceSchema)), ...errorResponses },
})
const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Add a source',
  request: { body },
  responses: { 201: jsonBody(sourceSchema, 'Created'), ...bodyErrorResponses },
})
const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One source',
  request: { params: idParams },
  responses: { 200: jsonBody(sourceSchema), ...errorResponses },
})
const patch = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Rename a source',
  request: { params: idParams, body },
  responses: { 200: jsonBody(sourceSchema), ...bodyErrorResponses },
})
const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete a source no integration uses as its default',
  request: { params: idParams },
  responses: { ...deletedResponse, ...errorResponses, ...conflictResponse },
})

export const sourcesApi = createRouter()
  .openapi(list, async (c) => {
    const { limit, ...filter } = c.req.valid('query')
    const db = createDb(c.env.DB)
    const rows = await listSources(db, c.get('accountId'), { ...filter, limit: limit + 1 })
    const position = (r: Source) => ({ at: r.createdAt.getTime(), id: r.id })
    const page = toPage(rows, limit, position, presentSource)
    return c.json(page, 200)
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
