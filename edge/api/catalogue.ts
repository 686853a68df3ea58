import { z } from '@hono/zod-openapi'
import type { Db } from '../db/client'
import { deleteFromCatalogue, integrationUsing } from '../db/catalogue'
import { ApiError } from '../errors'
import { errorSchema } from './schemas'

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
