import { OpenAPIHono } from '@hono/zod-openapi'
import type { z } from 'zod'
import { invalidInput, type FieldIssue } from './errors'
import type { AppEnv } from './types'

/** The field issues of a failed schema check; a problem with the whole input is `whole`'s. */
export function issuesOf(error: z.ZodError, whole = 'body'): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || whole,
    message: issue.message,
  }))
}

/** Every router of the app: a failed schema check throws the app's one error type. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidInput(issuesOf(result.error))
    },
  })
}
