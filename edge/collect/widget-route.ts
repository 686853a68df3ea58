import { createRoute, z } from '@hono/zod-openapi'
import { createRouter } from '../validation'
import { WIDGET_ETAG, WIDGET_JS } from './widget-bundle.generated'

// Sites embed the script from any origin; an hour of caching, then revalidation by ETag, lets a new
// widget reach every site within the hour without each page view costing a Worker request.
const WIDGET_HEADERS = {
  'Content-Type': 'application/javascript; charset=utf-8',
  'Cache-Control': 'public, max-age=3600, stale-while-revalidate=86400',
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'X-Content-Type-Options': 'nosniff',
  ETag: WIDGET_ETAG,
}

const widget = createRoute({
  method: 'get',
  path: '/w.js',
  tags: ['widget'],
  summary: 'The widget bundle for <script async src=".../w.js" data-site="SITE_KEY">',
  security: [],
  responses: {
    200: {
      description: 'The minified widget (one IIFE)',
      content: { 'application/javascript': { schema: z.string() } },
    },
    304: { description: 'The cached copy (If-None-Match) is current' },
  },
})

export const widgetApp = createRouter().openapi(widget, (c) => {
  const cached = c.req.header('If-None-Match')?.split(/,\s*/).includes(WIDGET_ETAG)
  if (cached) return c.body(null, 304, WIDGET_HEADERS)
  return c.body(WIDGET_JS, 200, WIDGET_HEADERS)
})
