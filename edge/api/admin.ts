import { createRoute, z } from '@hono/zod-openapi'
import { eq } from 'drizzle-orm'
import { createMiddleware } from 'hono/factory'
import { createDb } from '../db/client'
import { sites } from '../db/schema'
import { MoveConflict, moveStep } from '../db/shard-moves'
import { closedShards, reportShards, SHARD_FULL_BYTES, visitShards } from '../db/shards'
import { ApiError } from '../errors'
import type { AppEnv } from '../types'
import { createRouter } from '../validation'
import { conflictResponse } from './catalogue'
import { ADMIN_AUTH } from './openapi'
import { bodyErrorResponses, errorResponses, jsonBody } from './schemas'

// The operator's routes: the visits shards' state, and moving a site between them. Behind ADMIN_TOKEN
// (a secret; without it these routes do not exist), never a cabinet token: they see every account.

const sha256 = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))

const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN
  if (!expected) throw new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`)
  const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
  // Digests compared in constant time: the token's length and prefix stay unknown to a prober.
  const [a, b] = await Promise.all([sha256(given), sha256(expected)])
  if (!crypto.subtle.timingSafeEqual(a, b)) throw new ApiError('unauthorized', 'Send "Bearer <ADMIN_TOKEN>"')
  await next()
})

const shardSchema = z.object({
  shard: z.number().int().openapi({ description: 'n of the binding VISITS_n' }),
  sizeBytes: z.number().int().openapi({ description: "D1's size of the database file" }),
  sites: z.number().int(),
  open: z.boolean().openapi({ description: 'Whether new sites may be placed on it' }),
})

const listShards = createRoute({
  method: 'get',
  path: '/shards',
  tags: ['admin'],
  summary: 'Each visits shard: size, sites, open to new sites',
  security: [{ [ADMIN_AUTH]: [] }],
  responses: {
    200: jsonBody(
      z.object({ data: z.array(shardSchema), fullBytes: z.number().int() }),
      'The shards bound to the Worker, and the size at which one closes'
    ),
    401: errorResponses[401],
    404: errorResponses[404],
  },
})

const moveBody = z
  .object({
    to: z.number().int().min(0).openapi({ description: 'The shard to move the site to' }),
  })
  .strict()

const move = createRoute({
  method: 'post',
  path: '/sites/{id}/move',
  tags: ['admin'],
  summary: 'One step of moving a site to another visits shard; repeat until done (scripts/move-site.mjs)',
  security: [{ [ADMIN_AUTH]: [] }],
  request: {
    params: z.object({ id: z.string().min(1).max(200) }),
    body: { content: { 'application/json': { schema: moveBody } }, required: true },
  },
  responses: {
    200: jsonBody(
      z.object({
        phase: z.enum(['copying', 'deleting', 'done']),
        after: z.string().nullable(),
        copied: z.number().int(),
        deleted: z.number().int(),
        waitSeconds: z.number().int(),
      }),
      'What the step did and where the next one starts'
    ),
    409: { ...conflictResponse[409], description: 'The site is being moved to another shard' },
    ...bodyErrorResponses,
  },
})

export const adminApi = createRouter()
adminApi.use('*', requireAdmin)
adminApi
  .openapi(listShards, async (c) => {
    const db = createDb(c.env.DB)
    const data = await reportShards(db, visitShards(c.env), closedShards(c.env.CLOSED_VISIT_SHARDS))
    return c.json({ data, fullBytes: SHARD_FULL_BYTES }, 200)
  })
  .openapi(move, async (c) => {
    const { to } = c.req.valid('json')
    const shards = visitShards(c.env)
    if (!shards[to]) throw new ApiError('bad_request', `to: shard ${to} is not bound (VISITS_${to})`)
    const db = createDb(c.env.DB)
    const site = await db.select().from(sites).where(eq(sites.id, c.req.valid('param').id)).get()
    if (!site) throw new ApiError('not_found', 'Site not found')
    try {
      return c.json(await moveStep(db, shards, site, to), 200)
    } catch (err) {
      if (err instanceof MoveConflict) throw new ApiError('conflict', err.message)
      throw err
    }
  })
