import { createRoute, z } from '@hono/zod-openapi'
import { createRouter } from './validation'

const health = createRoute({
  method: 'get',
  path: '/',
  tags: ['meta'],
  summary: 'Liveness with a D1 round trip',
  security: [],
  responses: {
    200: {
      description: 'The Worker and its database answer',
      content: { 'application/json': { schema: z.object({ ok: z.literal(true), db: z.literal('ok') }) } },
    },
  },
})

export const healthApp = createRouter().openapi(health, async (c) => {
  await c.env.DB.prepare('SELECT 1').first()
  return c.json({ ok: true as const, db: 'ok' as const }, 200)
})
