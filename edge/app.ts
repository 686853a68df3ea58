import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { adminApi } from './api/admin'
import { campaignsApi } from './api/campaigns'
import { dealsApi } from './api/deals'
import { importRunsApi } from './api/import-runs'
import { integrationCheckApi } from './api/integration-check'
import { integrationRunApi } from './api/integration-run'
import { integrationsApi } from './api/integrations'
import { serveOpenApi } from './api/openapi'
import { pipelinesApi } from './api/pipelines'
import { requestsApi } from './api/requests'
import { sitesApi } from './api/sites'
import { sourcesApi } from './api/sources'
import { requireAccount } from './auth'
import { collectApp } from './collect/route'
import { widgetApp } from './collect/widget-route'
import { assertEnv } from './env'
import { ApiError, renderError } from './errors'
import { healthApp } from './health'
import { demoApp } from './pages/demo'
import { pagesApp } from './pages/router'
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
  app.route('/admin', adminApi)
  app.route('/c', collectApp)
  app.route('/', widgetApp)
  app.route('/app', pagesApp)
  app.route('/demo', demoApp)

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
  api.route('/pipelines', pipelinesApi)
  api.route('/deals', dealsApi)
  app.route('/api/v1', api)

  serveOpenApi(app)
  return app
}
