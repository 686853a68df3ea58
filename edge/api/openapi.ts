import { z, type OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../types'
import { MAX_PAGE_SIZE } from './pagination'

/** The name of the cabinet's bearer scheme in `components.securitySchemes`. */
export const CABINET_AUTH = 'cabinetToken'
/** The operator's scheme, for `/admin` only (edge/api/admin.ts). */
export const ADMIN_AUTH = 'adminToken'

const DESCRIPTION = `Cabinet API of the Medods analytics bridge.

Every \`/api/v1\` route takes \`Authorization: Bearer <JWT>\` and sees only the token's
account: another account's id answers 404. Errors are JSON
\`{ "error": { "code", "message", "requestId" } }\`; a 400 names the invalid field first
(\`field: problem\`). Lists answer \`{ "data": [...], "nextCursor" }\`, ordered by (time, id)
with a keyset cursor, so a walk has no duplicates or gaps while rows are added; \`limit\` is
1–${MAX_PAGE_SIZE} (default 50), \`nextCursor\` is null on the last page, and
\`createdFrom\`/\`createdTo\` (inclusive) filter by date.`

const documentSchema = z
  .object({ openapi: z.string().openapi({ example: '3.1.0' }) })
  .catchall(z.unknown())
  .openapi({ description: 'An OpenAPI 3.1 document' })

/**
 * Serves `GET /openapi.json`. The bearer scheme is the document's default, so every route mounted
 * under `/api/v1` is covered without a word; public routes opt out with `security: []`.
 */
export function serveOpenApi(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent('securitySchemes', CABINET_AUTH, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'HS256 under the shared cabinet secret; `sub` = the cabinet account id; `exp`',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', ADMIN_AUTH, {
    type: 'http',
    scheme: 'bearer',
    description: 'The ADMIN_TOKEN secret; without it set, the /admin routes answer 404',
  })
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['meta'],
    summary: 'This document',
    security: [],
    responses: {
      200: { description: 'OK', content: { 'application/json': { schema: documentSchema } } },
    },
  })
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: { title: 'Medods analytics bridge', version: '1.0.0', description: DESCRIPTION },
    servers: [{ url: new URL(c.req.url).origin, description: 'This Worker' }],
    security: [{ [CABINET_AUTH]: [] }],
  }))
}
