import type { z } from 'zod'
import { PAGE_LIMIT } from '../../../edge/medods/client'
import { createMedodsHttp, type MedodsHttp, type Query } from '../../../edge/medods/http'
import { listEnvelope } from '../../../edge/medods/schema'
import { DEMO_KEY, type MedodsSandbox } from '../../../sandbox/medods'
import { SANDBOX_UID, sandboxFetch } from './medods-sandbox'

// Reads of Medods resources the bridge itself never lists (clinics, clients, users), so tests can still
// check that the sandbox serves them as the schemas expect.

/** The Medods HTTP layer on a sandbox with its demo key, in memory. */
export function sandboxHttp(sandbox: MedodsSandbox, key = DEMO_KEY) {
  return createMedodsHttp(
    { uid: SANDBOX_UID, identity: key.identity, secretKey: key.secretKey },
    { allowLocal: true, fetch: sandboxFetch(sandbox), sleep: async () => {} }
  )
}

/** The first page of a list with every record parsed strictly: one the schema rejects fails the test. */
export async function firstPage<T>(
  http: MedodsHttp,
  resource: string,
  schema: z.ZodType<T>,
  query: Query = {}
) {
  const body = await http.getJson(resource, { ...query, limit: PAGE_LIMIT, offset: 0 })
  const { data, totalItems } = listEnvelope.parse(body)
  return { items: data.map((record) => schema.parse(record)), totalItems }
}
