import { createRoute } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import { createDb } from '../db/client'
import { ApiError, describeForLog, errorSchema, invalidInput } from '../errors'
import type { AppEnv } from '../types'
import { createRouter, issuesOf } from '../validation'
import {
  hostBelongsTo,
  ipLimitKey,
  isBotRequest,
  siteForKey,
  siteLimitKey,
  withinLimit,
} from './guards'
import { type IngestMessage, wirePayloadSchema } from './wire-schema'

/**
 * Far above a real send (a pageview is ~1 KB) and under the ~16 KB after which Russian ISPs cut
 * Cloudflare connections (attribution.md §11).
 */
export const MAX_BODY_BYTES = 16 * 1024

// Counted before anything else, so floods of junk are limited too, not only valid sends.
const limitPerIp = createMiddleware<AppEnv>(async (c, next) => {
  const ip = c.req.header('cf-connecting-ip') ?? 'unknown'
  if (!(await withinLimit(c.env.COLLECT_IP_LIMIT, ipLimitKey(ip)))) {
    throw new ApiError('rate_limited', 'Too many requests from this address')
  }
  await next()
})

// Reads at most MAX_BODY_BYTES even when the client sends no Content-Length (a streamed body).
const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError('payload_too_large', `body: larger than ${MAX_BODY_BYTES} bytes`)
  },
})

function parsePayload(body: string) {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw new ApiError('bad_request', 'body: malformed JSON')
  }
  const result = wirePayloadSchema.safeParse(json)
  if (!result.success) throw invalidInput(issuesOf(result.error))
  return result.data
}

const errorAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
})

const collect = createRoute({
  method: 'post',
  path: '/',
  tags: ['collector'],
  summary: 'Widget events',
  security: [],
  description:
    'The widget posts `text/plain` JSON (no CORS preflight); events reach D1 via the ingest queue.',
  middleware: [limitPerIp, limitBody] as const,
  request: {
    body: { required: true, content: { 'text/plain': { schema: wirePayloadSchema } } },
  },
  responses: {
    204: { description: 'Queued, or silently dropped when the sender is a bot' },
    400: errorAnswer('Malformed JSON or an invalid field (named in the message)'),
    403: errorAnswer("The page's host is not the site's domain or a subdomain of it"),
    404: errorAnswer('Unknown site key'),
    413: errorAnswer('Body larger than 16 KiB'),
    429: errorAnswer('Rate limit per address or per site exceeded'),
    503: errorAnswer('The ingest queue refused the send: retry later'),
  },
})

/**
 * A queue that refuses a send is an outage, not a bad request: 503, which the widget keeps in its retry
 * queue and sends again with the next event (widget/src/transport.ts), so the events are not lost.
 */
async function enqueue(queue: Queue, message: IngestMessage) {
  try {
    await queue.send(message)
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', msg: 'ingest queue refused a send', error: describeForLog(err) }))
    throw new ApiError('unavailable', 'Collector temporarily unavailable: retry later')
  }
}

/** `POST /c`: validates and enqueues; the ingest consumer writes D1, never this request. */
export const collectApp = createRouter()

collectApp.use(cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], maxAge: 86_400 }))

collectApp.openapi(collect, async (c) => {
  if (isBotRequest(c.req.raw.headers)) return c.body(null, 204)
  const payload = parsePayload(await c.req.text())
  const site = await siteForKey(createDb(c.env.DB), payload.k)
  if (!site) throw new ApiError('not_found', 'k: unknown site key')
  if (!hostBelongsTo(payload.u, site.domain)) {
    throw new ApiError('forbidden', "u: the page is not on the site's domain")
  }
  if (!(await withinLimit(c.env.COLLECT_SITE_LIMIT, siteLimitKey(site.id)))) {
    throw new ApiError('rate_limited', 'Too many requests for this site')
  }
  const message: IngestMessage = { siteId: site.id, receivedAt: Date.now(), payload }
  await enqueue(c.env.INGEST, message)
  return c.body(null, 204)
})
