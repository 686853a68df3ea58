import { createRoute, z } from '@hono/zod-openapi'
import type { Db } from '../db/client'
import { deleteFromCatalogue, integrationUsing } from '../db/catalogue'
import { ApiError } from '../errors'
import { listQuery, pageOf } from './pagination'
import { errorSchema } from '../errors'
import { bodyErrorResponses, errorResponses, jsonBody } from './schemas'

// Pieces shared by the catalogue sub-apps (sites, campaigns, sources) and integrations.

export const idParams = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }),
})

export const nameField = z.string().trim().min(1).max(200)

export const conflictResponse = {
  409: {
    description: 'Still used by an integration',
    content: { 'application/json': { schema: errorSchema } },
  },
} as const

export const deletedResponse = { 204: { description: 'Deleted' } } as const

export function notFound(what: string): never {
  throw new ApiError('not_found', `${what} not found`)
}

const LABEL = { site: 'Site', campaign: 'Campaign', source: 'Source' } as const
const USE_KEY = { site: 'siteId', campaign: 'campaignId', source: 'sourceId' } as const

/**
 * Deletes a catalogue row unless an integration still relies on it (409 naming the integration). A
 * foreign key failure (a row of another table added meanwhile) is a 409 too, never a 500.
 */
export async function deleteCatalogueRow(
  db: Db,
  kind: keyof typeof LABEL,
  accountId: string,
  id: string
): Promise<void> {
  const use = { [USE_KEY[kind]]: id } as Parameters<typeof integrationUsing>[2]
  const user = await integrationUsing(db, accountId, use)
  if (user) {
    throw new ApiError(
      'conflict',
      `${LABEL[kind]} is used by integration ${user.id}: ` +
        "change that integration's default or sites first"
    )
  }
  let deleted: boolean
  try {
    deleted = await deleteFromCatalogue(db, kind, accountId, id)
  } catch (err) {
    if (/FOREIGN KEY constraint failed/i.test(describe(err))) {
      throw new ApiError('conflict', `${LABEL[kind]} is still referenced by stored data`)
    }
    throw err
  }
  if (!deleted) notFound(LABEL[kind])
}

const describe = (err: unknown): string =>
  err instanceof Error ? `${err.message} ${describe(err.cause)}` : String(err ?? '')

const jsonRequest = <T extends z.ZodTypeAny>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
})

/**
 * The five routes of a catalogue resource (list, create, read, patch, delete), declared once: only the
 * schemas and the words differ between sites, campaigns and sources.
 */
export function catalogueRoutes<
  Item extends z.ZodTypeAny,
  Input extends z.ZodTypeAny,
  Patch extends z.ZodTypeAny,
>(spec: {
  tag: string
  item: Item
  input: Input
  patch: Patch
  summary: { list: string; create: string; read: string; patch: string; remove: string }
}) {
  const tags = [spec.tag]
  return {
    list: createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: spec.summary.list,
      request: { query: listQuery },
      responses: { 200: jsonBody(pageOf(spec.item)), ...errorResponses },
    }),
    create: createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: spec.summary.create,
      request: { body: jsonRequest(spec.input) },
      responses: { 201: jsonBody(spec.item, 'Created'), ...bodyErrorResponses },
    }),
    read: createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      summary: spec.summary.read,
      request: { params: idParams },
      responses: { 200: jsonBody(spec.item), ...errorResponses },
    }),
    patch: createRoute({
      method: 'patch',
      path: '/{id}',
      tags,
      summary: spec.summary.patch,
      request: { params: idParams, body: jsonRequest(spec.patch) },
      responses: { 200: jsonBody(spec.item), ...bodyErrorResponses },
    }),
    remove: createRoute({
      method: 'delete',
      path: '/{id}',
      tags,
      summary: spec.summary.remove,
      request: { params: idParams },
      responses: { ...deletedResponse, ...errorResponses, ...conflictResponse },
    }),
  }
}
