import { createRoute, z } from '@hono/zod-openapi'
import { decryptSecret } from '../crypto/secrets'
import { createDb } from '../db/client'
import { findIntegration, saveCheck } from '../db/integrations'
import { ApiError } from '../errors'
import { connectionReport } from '../imports/connection-report'
import { createRouter } from '../validation'
import { checkResultSchema } from './integration-schemas'
import { errorResponses, jsonBody } from './schemas'

const check = createRoute({
  method: 'post',
  path: '/{id}/check',
  tags: ['integrations'],
  summary: 'Calls Medods with the stored key and says whether an import would work (kept as lastCheck)',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 200: jsonBody(checkResultSchema), ...errorResponses },
})

export const integrationCheckApi = createRouter().openapi(check, async (c) => {
  const { id } = c.req.valid('param')
  const db = createDb(c.env.DB)
  const integration = await findIntegration(db, c.get('accountId'), id)
  if (!integration) throw new ApiError('not_found', 'Integration not found')
  const secretKey = await decryptSecret(integration.secretKeyEnc, c.env.SECRETS_KEY)
  const creds = { uid: integration.uid, identity: integration.identity, secretKey }
  const allowLocal = c.env.MEDODS_ALLOW_LOCAL === '1'
  const result = await connectionReport(creds, integration, { allowLocal })
  await saveCheck(db, integration.id, { ...result, at: new Date().toISOString() })
  return c.json(result, 200)
})
