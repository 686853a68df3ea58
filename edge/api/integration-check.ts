import { createRoute, z } from '@hono/zod-openapi'
import { decryptSecret } from '../crypto/secrets'
import { createDb } from '../db/client'
import { findIntegration } from '../db/integrations'
import { ApiError } from '../errors'
import { connectionReport, REPORT_ITEMS } from '../imports/connection-report'
import { createRouter } from '../validation'
import { errorResponses, jsonBody } from './schemas'

const reportItems = z
  .array(
    z.object({
      item: z.enum(REPORT_ITEMS),
      status: z.enum(['ok', 'missing', 'not_understood']),
      message: z.string().openapi({ description: 'What was found, for a person (Russian)' }),
    })
  )
  .openapi({ description: 'With a working key: each thing the imports read, as found' })

const checkResultSchema = z
  .union([
    z.object({ ok: z.literal(true), items: reportItems }),
    z.object({
      ok: z.literal(false),
      reason: z.enum(['bad_credentials', 'no_api_rights', 'unreachable', 'not_medods']),
      message: z.string().openapi({ description: 'What to fix, for a person (Russian)' }),
      items: reportItems,
    }),
  ])
  .openapi('IntegrationCheck')

const check = createRoute({
  method: 'post',
  path: '/{id}/check',
  tags: ['integrations'],
  summary: 'Calls Medods with the stored key and says whether an import would work',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 200: jsonBody(checkResultSchema), ...errorResponses },
})

export const integrationCheckApi = createRouter().openapi(check, async (c) => {
  const { id } = c.req.valid('param')
  const integration = await findIntegration(createDb(c.env.DB), c.get('accountId'), id)
  if (!integration) throw new ApiError('not_found', 'Integration not found')
  const secretKey = await decryptSecret(integration.secretKeyEnc, c.env.SECRETS_KEY)
  const creds = { uid: integration.uid, identity: integration.identity, secretKey }
  const allowLocal = c.env.MEDODS_ALLOW_LOCAL === '1'
  const result = await connectionReport(creds, integration, { allowLocal })
  return c.json(result, 200)
})
