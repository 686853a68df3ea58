import type { z } from 'zod'
import { MedodsAuthError, MedodsError, MedodsResponseError } from './errors'
import { type Attempt, DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, withRetry } from './retry'
import {
  appointmentSchema,
  appointmentSourceSchema,
  clientSchema,
  clinicSchema,
  entrySchema,
  listEnvelope,
  orderSchema,
  userSchema,
} from './schema'
import { tokenSource } from './token'
import { parseMedodsUid } from './uid'

/** The largest page Medods accepts (its own client DTOs validate `Max(100)`). */
export const PAGE_LIMIT = 100

export type MedodsCredentials = { uid: string; identity: string; secretKey: string }

export type MedodsClientOptions = {
  /** Lets the UID be `http://127.0.0.1:<port>/` (the sandbox); only the local `.dev.vars` sets it. */
  allowLocal: boolean
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Called for every record that failed its schema and was skipped. */
  onMalformed?: (record: MalformedRecord) => void
}

/** Counters an import run records. */
export type MedodsStats = { requests: number; retries: number; malformedSkipped: number }

export type MalformedRecord = { resource: string; id: number | string | null; problem: string }

export type Page<T> = { items: T[]; skipped: MalformedRecord[]; offset: number; totalItems: number }

type Query = Record<string, string | number | undefined>

export type AppointmentFilter = {
  updatedAtAfter?: number
  clinicId?: number
  userId?: number
  clientId?: number
  status?: string
  dateStart?: string
  dateEnd?: string
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * A Medods API v2 client for one clinic. HTTP only: it mints the token, retries transient failures within
 * a per-client budget, times out hung requests and validates every record; it never writes anywhere.
 */
export function createMedodsClient(creds: MedodsCredentials, opts: MedodsClientOptions) {
  const parsed = parseMedodsUid(creds.uid, opts.allowLocal)
  if ('error' in parsed) throw new MedodsError(`Medods UID ${parsed.error}`)
  const { apiBase } = parsed
  const fetchFn = opts.fetch ?? ((input, init) => fetch(input, init))
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? realSleep
  const timeoutMs = opts.timeoutMs ?? 20_000
  const policy = { ...DEFAULT_RETRY, ...opts.retry }
  const token = tokenSource(creds.identity, creds.secretKey, now)
  const stats: MedodsStats = { requests: 0, retries: 0, malformedSkipped: 0 }

  async function attempt(url: string): Promise<Attempt> {
    stats.requests++
    const headers = { authorization: `Bearer ${await token()}`, accept: 'application/json' }
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    // Raced rather than trusted to the signal alone, so a fetch that ignores aborts still times out.
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    try {
      // Never followed: a redirect could carry the key's token to a host outside the UID allow-list.
      const request = fetchFn(url, { headers, signal: controller.signal, redirect: 'manual' })
      const res = await Promise.race([request, timeout])
      if (res === 'timeout') {
        controller.abort()
        return { transient: 'timeout', detail: `no answer within ${timeoutMs} ms` }
      }
      if (res.status === 429) {
        await res.body?.cancel()
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now())
        return { transient: 'rate_limited', detail: 'HTTP 429', retryAfterMs }
      }
      if (res.status >= 500) {
        await res.body?.cancel()
        return { transient: 'server_error', detail: `HTTP ${res.status}` }
      }
      return { done: res }
    } catch (err) {
      return { transient: 'network', detail: err instanceof Error ? err.message : String(err) }
    } finally {
      if (timer !== undefined) clearTimeout(timer)
    }
  }

  /** GET a path under the API base; answers the parsed JSON, or null for 404. */
  async function get(path: string, query: Query = {}): Promise<unknown> {
    const url = new URL(path, apiBase)
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    const deps = { policy, state: stats, sleep }
    const res = await withRetry(path, () => attempt(url.toString()), deps)
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel()
      throw new MedodsAuthError(res.status, path)
    }
    if (res.status === 404) {
      await res.body?.cancel()
      return null
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel()
      throw new MedodsResponseError(res.status, path, 'a redirect, which is not followed')
    }
    const text = await res.text()
    if (!res.ok) throw new MedodsResponseError(res.status, path, text.slice(0, 200))
    try {
      return JSON.parse(text)
    } catch {
      throw new MedodsResponseError(res.status, path, 'the body is not JSON')
    }
  }

  function validate<T>(resource: string, schema: z.ZodType<T>, record: unknown) {
    const result = schema.safeParse(record)
    if (result.success) return { ok: true as const, value: result.data }
    const rawId = (record as { id?: unknown } | null)?.id
    const id = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : null
    const problem = result.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || 'record'}: ${i.message}`)
      .join('; ')
    const malformed = { resource, id, problem }
    stats.malformedSkipped++
    opts.onMalformed?.(malformed)
    return { ok: false as const, malformed }
  }

  /** Pages through a list with limit 100 and offset; a malformed record is skipped and reported. */
  async function* list<T>(resource: string, schema: z.ZodType<T>, query: Query, startOffset = 0) {
    for (let offset = startOffset; ; ) {
      const body = await get(resource, { ...query, limit: PAGE_LIMIT, offset })
      const envelope = listEnvelope.safeParse(body)
      if (!envelope.success) {
        throw new MedodsResponseError(200, resource, 'not a {data, totalItems} list')
      }
      const page: Page<T> = { items: [], skipped: [], offset, totalItems: envelope.data.totalItems }
      for (const record of envelope.data.data) {
        const checked = validate(resource, schema, record)
        if (checked.ok) page.items.push(checked.value)
        else page.skipped.push(checked.malformed)
      }
      yield page
      offset += envelope.data.data.length
      if (envelope.data.data.length === 0 || offset >= envelope.data.totalItems) return
    }
  }

  async function one<T>(resource: string, schema: z.ZodType<T>, id: number): Promise<T | null> {
    const body = await get(`${resource}/${id}`)
    if (body === null) return null
    const checked = validate(resource, schema, body)
    return checked.ok ? checked.value : null
  }

  /** One smallest page of a list, checked for the Medods envelope: what the connection check calls. */
  async function probe(resource: string): Promise<{ totalItems: number }> {
    const body = await get(resource, { limit: 1, offset: 0 })
    if (body === null) throw new MedodsResponseError(404, resource, 'no such API path')
    const envelope = listEnvelope.safeParse(body)
    if (!envelope.success) {
      throw new MedodsResponseError(200, resource, 'not a {data, totalItems} list')
    }
    return { totalItems: envelope.data.totalItems }
  }

  return {
    stats,
    apiBase,
    probe,
    /** Incremental sync: pass `updatedAtAfter` (Unix seconds); `startOffset` resumes a stored cursor. */
    appointments: (filter: AppointmentFilter = {}, startOffset = 0) =>
      list('appointments', appointmentSchema, filter, startOffset),
    appointmentSources: () => list('appointments/sources', appointmentSourceSchema, {}),
    clinics: () => list('clinics', clinicSchema, {}),
    clients: (filter: { phone?: string; surname?: string } = {}) =>
      list('clients', clientSchema, filter),
    users: (filter: { clinicId?: number; status?: string } = {}) =>
      list('users', userSchema, filter),
    entries: (filter: { orderId?: number; clientId?: number } = {}) =>
      list('entries', entrySchema, filter),
    /** Single records answer null when Medods has none, or when the record was malformed (reported). */
    appointment: (id: number) => one('appointments', appointmentSchema, id),
    client: (id: number) => one('clients', clientSchema, id),
    user: (id: number) => one('users', userSchema, id),
    order: (id: number) => one('orders', orderSchema, id),
  }
}

export type MedodsApi = ReturnType<typeof createMedodsClient>
