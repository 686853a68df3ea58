import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { campaignsApi } from './api/campaigns'
import { importRunsApi } from './api/import-runs'
import { integrationCheckApi } from './api/integration-check'
import { integrationRunApi } from './api/integration-run'
import { integrationsApi } from './api/integrations'
import { requestsApi } from './api/requests'
import { sitesApi } from './api/sites'
import { sourcesApi } from './api/sources'
import { requireAccount } from './auth'
import { collectApp } from './collect/route'
import { widgetApp } from './collect/widget-route'
import { assertEnv } from './env'
import { ApiError, renderError } from './errors'
import { healthApp } from './health'
import { createRouter } from './validation'

export function createApp() {
  const app = createRouter()
  app.use(requestId())
  app.use(async (c, next) => {
    assertEnv(c.env)
    await next()
  })
  app.onError(renderError)
  app.notFound((c) => {
    throw new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`)
  })

  app.route('/health', healthApp)
  app.route('/c', collectApp)
  app.route('/', widgetApp)

  const api = createRouter()
  api.use(cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 }))
  api.use(requireAccount)
  api.route('/sites', sitesApi)
  api.route('/campaigns', campaignsApi)
  api.route('/sources', sourcesApi)
  api.route('/integrations', integrationsApi)
  api.route('/integrations', integrationCheckApi)
  api.route('/integrations', integrationRunApi)
  api.route('/import-runs', importRunsApi)
  api.route('/requests', requestsApi)
  app.route('/api/v1', api)

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Medods analytics bridge', version: '1.0.0' },
  })
  return app
}
