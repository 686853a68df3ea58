import type { z } from 'zod'
import { MedodsResponseError } from './errors'
import {
  createMedodsHttp,
  type MedodsCredentials,
  type MedodsHttpOptions,
  type Query,
  type RequestStats,
} from './http'
import {
  appointmentSchema,
  appointmentSourceSchema,
  clientSchema,
  entrySchema,
  listEnvelope,
  orderSchema,
  userSchema,
} from './schema'

export type { MedodsCredentials } from './http'

/** The largest page Medods accepts (its own client DTOs validate `Max(100)`). */
export const PAGE_LIMIT = 100

export type MedodsClientOptions = MedodsHttpOptions & {
  /** Called for every record that failed its schema and was skipped. */
  onMalformed?: (record: MalformedRecord) => void
}

/** Counters an import run records; `listCut` says why a list ended before its `totalItems`. */
export type MedodsStats = RequestStats & { malformedSkipped: number; listCut?: string }

export type MalformedRecord = { resource: string; id: number | string | null; problem: string }

export type Page<T> = { items: T[]; skipped: MalformedRecord[]; offset: number; totalItems: number }

export type AppointmentFilter = {
  updatedAtAfter?: number
  clinicId?: number
  userId?: number
  clientId?: number
  status?: string
  dateStart?: string
  dateEnd?: string
}

type Checked<T> = { ok: true; value: T } | { ok: false; malformed: MalformedRecord }

function checkRecord<T>(resource: string, schema: z.ZodType<T>, record: unknown): Checked<T> {
  const result = schema.safeParse(record)
  if (result.success) return { ok: true, value: result.data }
  const rawId = (record as { id?: unknown } | null)?.id
  const id = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : null
  const problem = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'record'}: ${i.message}`)
    .join('; ')
  return { ok: false, malformed: { resource, id, problem } }
}

function envelopeOf(resource: string, body: unknown) {
  const envelope = listEnvelope.safeParse(body)
  if (!envelope.success) {
    throw new MedodsResponseError(200, resource, 'not a {data, totalItems} list')
  }
  return envelope.data
}

/**
 * The Medods API v2 resources the bridge reads, for one clinic, on top of `createMedodsHttp`. Every
 * record is validated; a malformed one is skipped and reported rather than failing its page.
 */
export function createMedodsClient(creds: MedodsCredentials, opts: MedodsClientOptions) {
  const stats: MedodsStats = { requests: 0, retries: 0, malformedSkipped: 0 }
  const { getJson } = createMedodsHttp(creds, opts, stats)

  function validate<T>(resource: string, schema: z.ZodType<T>, record: unknown) {
    const checked = checkRecord(resource, schema, record)
    if (!checked.ok) {
      stats.malformedSkipped++
      opts.onMalformed?.(checked.malformed)
    }
    return checked
  }

  /**
   * Pages through a list with limit 100 and offset; malformed records count towards the offset. A page
   * larger than asked for is not a Medods answer; a page that repeats the one before (a server ignoring
   * `offset`) ends the list, so a run cannot go round for ever.
   */
  async function* list<T>(resource: string, schema: z.ZodType<T>, query: Query, startOffset = 0) {
    let previous: string | undefined
    for (let offset = startOffset; ; ) {
      const body = await getJson(resource, { ...query, limit: PAGE_LIMIT, offset })
      if (body === null) throw new MedodsResponseError(404, resource, 'not served (404)')
      const { data, totalItems } = envelopeOf(resource, body)
      if (data.length > PAGE_LIMIT) {
        throw new MedodsResponseError(200, resource, `a page of ${data.length} items, over the ${PAGE_LIMIT} asked for`)
      }
      const signature = JSON.stringify(data)
      if (data.length > 0 && signature === previous) {
        stats.listCut = `${resource}: the page at offset ${offset} repeated the one before (offset ignored?)`
        return
      }
      previous = signature
      const page: Page<T> = { items: [], skipped: [], offset, totalItems }
      for (const record of data) {
        const checked = validate(resource, schema, record)
        if (checked.ok) page.items.push(checked.value)
        else page.skipped.push(checked.malformed)
      }
      yield page
      offset += data.length
      if (data.length === 0 || offset >= totalItems) return
    }
  }

  async function one<T>(resource: string, schema: z.ZodType<T>, id: number): Promise<T | null> {
    const body = await getJson(`${resource}/${id}`)
    if (body === null) return null
    const checked = validate(resource, schema, body)
    return checked.ok ? checked.value : null
  }

  /** One smallest page of a list, checked for the Medods envelope: what the connection check calls. */
  async function probe(resource: string): Promise<{ totalItems: number }> {
    const body = await getJson(resource, { limit: 1, offset: 0 })
    if (body === null) throw new MedodsResponseError(404, resource, 'no such API path')
    return { totalItems: envelopeOf(resource, body).totalItems }
  }

  return {
    stats,
    probe,
    /** Incremental sync: pass `updatedAtAfter` (Unix seconds); `startOffset` resumes a stored cursor. */
    appointments: (filter: AppointmentFilter = {}, startOffset = 0) =>
      list('appointments', appointmentSchema, filter, startOffset),
    appointmentSources: () => list('appointments/sources', appointmentSourceSchema, {}),
    entries: (filter: { orderId?: number; clientId?: number } = {}) =>
      list('entries', entrySchema, filter),
    /** Single records answer null when Medods has none, or when the record was malformed (reported). */
    client: (id: number) => one('clients', clientSchema, id),
    user: (id: number) => one('users', userSchema, id),
    order: (id: number) => one('orders', orderSchema, id),
  }
}

export type MedodsApi = ReturnType<typeof createMedodsClient>
