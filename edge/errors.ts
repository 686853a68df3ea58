import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from './types'

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal_error'

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
}

/**
 * What is wrong with one field of an input: its path ("defaultAttribution.siteId") and the problem, plus a
 * `code` where the settings name the problem for a page to word ("booking_site", "taken").
 */
export type FieldIssue = { path: string; message: string; code?: string }

/**
 * The one error type handlers throw; `onError` renders it as `{ error: { code, message, requestId } }`.
 * A refused input also carries its `issues`, so a page can put each next to its field.
 */
export class ApiError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = []
  ) {
    super(STATUS[code], { message })
  }
}

/** A 400 naming each invalid field: "field: problem; other.field: problem" (at most five). */
export function invalidInput(issues: FieldIssue[]): ApiError {
  const message = issues
    .slice(0, 5)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ')
  return new ApiError('bad_request', message, issues)
}

export const ERROR_CODES = Object.keys(STATUS) as ErrorCode[]

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({ example: 'bad_request' }),
      message: z.string().openapi({ example: 'domain: Invalid input' }),
      requestId: z.string(),
    }),
  })
  .openapi('Error')

function codeForStatus(status: number): ErrorCode {
  const found = (Object.keys(STATUS) as ErrorCode[]).find((code) => STATUS[code] === status)
  return found ?? (status >= 500 ? 'internal_error' : 'bad_request')
}

export function errorBody(code: ErrorCode, message: string, requestId: string) {
  return { error: { code, message, requestId } }
}

export function renderError(err: Error, c: Context<AppEnv>) {
  const requestId = c.get('requestId') ?? 'unknown'
  if (err instanceof ApiError) {
    return c.json(errorBody(err.code, err.message, requestId), err.status)
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = codeForStatus(err.status)
    return c.json(errorBody(code, err.message || code.replace('_', ' '), requestId), err.status)
  }
  // Unknown errors: the detail goes to the log under the request id, none of it to the client.
  console.error(JSON.stringify({ level: 'error', requestId, error: describeForLog(err) }))
  return c.json(errorBody('internal_error', 'Internal error', requestId), 500)
}

/** The error chain for a log line; drizzle's bound parameters can hold personal data, so they are cut. */
export function describeForLog(err: unknown): string {
  const parts: string[] = []
  for (let e = err, depth = 0; e && depth < 4; e = (e as Error).cause, depth++) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e))
  }
  return parts.join('\ncaused by: ').replace(/^params: .*$/gm, 'params: [redacted]')
}
