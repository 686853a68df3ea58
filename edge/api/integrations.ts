import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { deleteIntegration, findIntegration, listIntegrations } from '../db/integrations'
import { installFor } from '../settings/install'
import { changeIntegration, createIntegration } from '../settings/save'
import { integrationInput, integrationPatch } from '../settings/schema'
import { createRouter } from '../validation'
import { conflictResponse, deletedResponse, idParams, notFound } from './catalogue'
import { integrationSchema, presentIntegration, savedIntegrationSchema } from './integration-schemas'
import { listQuery, pageOf, presentPage } from './pagination'
import { bodyErrorResponses, errorResponses, jsonBody } from './schemas'

const tags = ['integrations']
const json = <T extends typeof integrationInput | typeof integrationPatch>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
})

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "The account's Medods integrations (SecretKeys masked)",
  request: { query: listQuery },
  responses: { 200: jsonBody(pageOf(integrationSchema)), ...errorResponses },
})
const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Connect a Medods clinic; answers with the script to install on its site',
  request: { body: json(integrationInput) },
  responses: {
    201: jsonBody(savedIntegrationSchema, 'Created'),
    ...bodyErrorResponses,
    409: { ...conflictResponse[409], description: 'The account already connects this clinic' },
  },
})
const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One integration (SecretKey masked)',
  request: { params: idParams },
  responses: { 200: jsonBody(integrationSchema), ...errorResponses },
})
const patch = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change an integration; without secretKey the stored one is kept',
  request: { params: idParams, body: json(integrationPatch) },
  responses: {
    200: jsonBody(savedIntegrationSchema),
    ...bodyErrorResponses,
    409: { ...conflictResponse[409], description: 'Another integration already connects this clinic' },
  },
})
const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete an integration: its SecretKey is erased; its requests, deals and runs stay unless purged',
  request: {
    params: idParams,
    query: z.object({
      purge: z
        .enum(['true', 'false'])
        .default('false')
        .openapi({ description: 'true: delete its requests, deals and runs too' }),
    }),
  },
  responses: { ...deletedResponse, ...errorResponses },
})

const workerOrigin = (url: string) => new URL(url).origin

export const integrationsApi = createRouter()
  .openapi(list, async (c) => {
    const page = await listIntegrations(createDb(c.env.DB), c.get('accountId'), c.req.valid('query'))
    return c.json(presentPage(page, presentIntegration), 200)
  })
  .openapi(create, async (c) => {
    const ctx = { db: createDb(c.env.DB), env: c.env, accountId: c.get('accountId') }
    const row = await createIntegration(ctx, c.req.valid('json'))
    const install = await installFor(ctx.db, row, workerOrigin(c.req.url))
    return c.json({ ...presentIntegration(row), install }, 201)
  })
  .openapi(read, async (c) => {
    const db = createDb(c.env.DB)
    const row = await findIntegration(db, c.get('accountId'), c.req.valid('param').id)
    return c.json(presentIntegration(row ?? notFound('Integration')), 200)
  })
  .openapi(patch, async (c) => {
    const ctx = { db: createDb(c.env.DB), env: c.env, accountId: c.get('accountId') }
    const { id } = c.req.valid('param')
    const stored = (await findIntegration(ctx.db, ctx.accountId, id)) ?? notFound('Integration')
    const row = (await changeIntegration(ctx, stored, c.req.valid('json'))) ?? notFound('Integration')
    const install = await installFor(ctx.db, row, workerOrigin(c.req.url))
    return c.json({ ...presentIntegration(row), install }, 200)
  })
  .openapi(remove, async (c) => {
    const purge = c.req.valid('query').purge === 'true'
    const deleted = await deleteIntegration(createDb(c.env.DB), c.get('accountId'), c.req.valid('param').id, { purge })
    if (!deleted) notFound('Integration')
    return c.body(null, 204)
  })
