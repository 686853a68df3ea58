import { OpenAPIHono } from '@hono/zod-openapi'
import type { z } from 'zod'
import { ApiError } from './errors'
import type { AppEnv } from './types'

/** "field: problem; other.field: problem", naming each invalid field so a client can act on it. */
export function describeZodError(error: z.ZodError, prefix?: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.')
      const field = path || prefix || 'body'
      return `${field}: ${issue.message}`
    })
    .join('; ')
}

/** Every router of the app: a failed schema check throws the app's one error type. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ApiError('bad_request', describeZodError(result.error))
    },
  })
}
