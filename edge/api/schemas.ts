import { z } from '@hono/zod-openapi'
import { errorSchema } from '../errors'

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
})

/** The error answers every cabinet route can give. */
export const errorResponses = {
  400: errorResponse('Invalid input; the message names the field'),
  401: errorResponse('Missing, malformed, expired or forged token'),
  404: errorResponse('Not found in this account'),
} as const

/** The error answers of a route with a JSON body: those of every route, and 415 for another type. */
export const bodyErrorResponses = {
  ...errorResponses,
  415: errorResponse('The body is not sent as application/json'),
} as const

export const jsonBody = <T extends z.ZodTypeAny>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
})
