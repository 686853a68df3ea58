import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { sitesApi } from './api/sites'
import { requireAccount } from './auth'
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

  const api = createRouter()
  api.use(cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 }))
  api.use(requireAccount)
  api.route('/sites', sitesApi)
  app.route('/api/v1', api)

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Medods analytics bridge', version: '1.0.0' },
  })
  return app
}
