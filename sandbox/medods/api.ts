import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { authenticate, mayRead, type SandboxKey } from './auth'
import type { SandboxData } from './data'
import { endlessList, trickle } from './bodies'
import {
  breakRecord,
  consume,
  echoBody,
  shapeOrder,
  withExtraFields,
  type SandboxFaults,
} from './faults'

export type SandboxState = {
  data: SandboxData
  faults: SandboxFaults
  keys: SandboxKey[]
  now: () => number
  /** `updatedAtAfter` semantics are unconfirmed (medods-api.md §5.1): strict `>` unless this is set. */
  updatedAtAfterInclusive: boolean
  /** v2 may not expose `createdAt` (medods-api.md §5.1); off serves appointments without it. */
  withCreatedAt: boolean
  /** The offset of `createdAt` is unconfirmed too: on serves Moscow wall-clock time without one. */
  createdAtWithoutOffset: boolean
  requests: { method: string; path: string; query: string; status: number }[]
  /** Bytes of streamed fault bodies (`hugeBody`, `slowBody`) handed to clients as they read them. */
  bodyBytesServed: number
}

type Query = Record<string, string>
type Row = { id: number }

// Known to the sandbox only: what a Medods ignoring `offset` claims to hold.
const ENDLESS_TOTAL = 1e9

const errors = (c: Context, status: ContentfulStatusCode, keys: unknown, detail?: string) =>
  c.json({ errors: keys, ...(detail ? { detail } : {}) }, status)

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function integerParam(query: Query, name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const raw = query[name]
  if (raw === undefined) return { value: undefined }
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min) return { error: { [name]: ['errors.must_be_integer'] } }
  if (value > max) return { error: { [name]: [`errors.less_than_or_equal_to_${max}`] } }
  return { value }
}

/** The API v2 subset the bridge reads: auth, faults and pagination in front of every list. */
export function createApiV2(state: SandboxState) {
  const api = new Hono()
  const { faults } = state
  const served = (bytes: number) => (state.bodyBytesServed += bytes)
  const serve = <T extends Row>(resource: string, record: T): Record<string, unknown> => {
    const shaped = shapeRecord(resource, record)
    return faults.extraFields ? withExtraFields(shaped) : shaped
  }
  const shapeRecord = <T extends Row>(resource: string, record: T): Record<string, unknown> => {
    if (faults.malformed.has(`${resource}/${record.id}`)) return breakRecord(record)
    if (resource !== 'appointments') return record
    const { createdAt, ...rest } = record as T & { createdAt?: string }
    if (faults.badCreatedAt.has(record.id)) return { ...rest, createdAt: faults.badCreatedAt.get(record.id) }
    if (!state.withCreatedAt) return rest
    if (!state.createdAtWithoutOffset || !createdAt) return record
    return { ...rest, createdAt: createdAt.replace('T', ' ').replace(/[+-]\d\d:\d\d$/, '') }
  }

  api.use(async (c, next) => {
    await next()
    const url = new URL(c.req.url)
    const { method } = c.req
    state.requests.push({ method, path: url.pathname, query: url.search, status: c.res.status })
  })
  api.use(async (c, next) => {
    await next()
    if (!faults.echoErrors || c.res.status < 400) return
    const { status } = c.res
    const headers = bodyless(c.res)
    headers.set('content-type', 'application/json')
    c.res = new Response(JSON.stringify(echoBody(c.req.raw, status)), { status, headers })
  })
  api.use(async (c, next) => {
    if (consume(faults.slow)) await delay(faults.slow.delayMs)
    if (consume(faults.redirect)) return c.redirect(faults.redirect.location, 302)
    const auth = await authenticate(c.req.header('authorization'), state.keys, state.now())
    if (!auth.ok) return errors(c, 401, ['errors.unauthorized'], auth.detail)
    if (faults.revoked.has(auth.key.identity)) {
      return errors(c, 401, ['errors.unauthorized'], 'key revoked')
    }
    const resource = c.req.path.split('/')[3] ?? ''
    if (!mayRead(auth.key, resource)) {
      return errors(c, 403, ['errors.forbidden'], `no right to ${resource}`)
    }
    if (consume(faults.rateLimited)) {
      c.header('retry-after', String(faults.rateLimited.retryAfterSeconds))
      return errors(c, 429, ['errors.too_many_requests'])
    }
    if (faults.unavailable.has(c.req.path.replace(/^\/api\/v2\//, ''))) {
      return c.text('Service Unavailable', 503)
    }
    if (consume(faults.serverErrors)) {
      const status = faults.serverErrors.status as ContentfulStatusCode
      return c.text('Internal Server Error', status)
    }
    if (consume(faults.hugeBody)) {
      return c.body(endlessList(faults.hugeBody.bytes, served), 200, { 'content-type': 'application/json' })
    }
    await next()
    if (c.res.status === 200 && consume(faults.truncated)) {
      const text = await c.res.text()
      c.res = new Response(text.slice(0, Math.floor(text.length / 2)), { status: 200, headers: bodyless(c.res) })
    }
    if (c.res.status === 200 && consume(faults.slowBody)) {
      const body = trickle(await c.res.text(), faults.slowBody.byteEveryMs, served)
      c.res = new Response(body, { status: 200, headers: bodyless(c.res) })
    }
  })

  const list = (c: Context, resource: string, rows: Row[]) => {
    const query = c.req.query()
    const limit = integerParam(query, 'limit', 1, 100)
    const offset = integerParam(query, 'offset', 0)
    if (limit.error || offset.error) return errors(c, 422, { ...limit.error, ...offset.error })
    const page = pageOf(faults, rows, offset.value ?? 0, limit.value ?? 25)
    const totalItems = faults.offsetIgnored ? ENDLESS_TOTAL : rows.length
    return c.json({ data: page.map((r) => serve(resource, r)), totalItems })
  }
  const one = (c: Context, resource: string, rows: Row[]) => {
    const row = rows.find((r) => String(r.id) === c.req.param('id'))
    return row ? c.json(serve(resource, row)) : errors(c, 404, ['errors.not_found'])
  }
  const { data } = state

  api.get('/clinics', (c) => list(c, 'clinics', data.clinics))
  api.get('/appointments/sources', (c) => list(c, 'appointments/sources', data.sources))
  api.get('/appointments', (c) => {
    const after = integerParam(c.req.query(), 'updatedAtAfter', 0)
    if (after.error) return errors(c, 422, after.error)
    return list(c, 'appointments', filterAppointments(state, c.req.query(), after.value))
  })
  api.get('/appointments/:id', (c) => one(c, 'appointments', data.appointments))
  api.get('/clients', (c) => {
    const { phone, surname } = c.req.query()
    const rows = data.clients.filter(
      (r) => (!phone || r.phone === phone) && (!surname || r.surname === surname)
    )
    return list(c, 'clients', rows)
  })
  api.get('/clients/:id', (c) => one(c, 'clients', data.clients))
  api.get('/users', (c) => {
    const clinicId = c.req.query('clinicId')
    const rows = data.users.filter((u) => !clinicId || String(u.currentClinicId) === clinicId)
    return list(c, 'users', rows)
  })
  api.get('/users/:id', (c) => one(c, 'users', data.users))
  api.get('/orders/:id', (c) => {
    const order = data.orders.find((o) => String(o.id) === c.req.param('id'))
    if (!order || faults.ordersNotFound.has(order.id)) return errors(c, 404, ['errors.not_found'])
    const entries = data.entries.filter((e) => e.orderId === order.id).map((e) => serve('entries', e))
    const paid = data.appointments.some((a) => a.orderId === order.id && a.status === 'paid')
    return c.json(serve('orders', shapeOrder(order, entries, faults.orderShape, paid)))
  })
  api.get('/entries', (c) => {
    if (faults.entriesNotServed) return errors(c, 404, ['errors.not_found'])
    const { orderId, clientId } = c.req.query()
    const orders = new Map(data.orders.map((o) => [o.id, o]))
    const rows = data.entries.filter(
      (e) =>
        (!orderId || String(e.orderId) === orderId) &&
        (!clientId || String(orders.get(e.orderId)?.clientId) === clientId)
    )
    return list(c, 'entries', rows)
  })
  api.notFound((c) => errors(c, 404, ['errors.not_found']))
  return api
}

/** A response's headers without its Content-Length, for a body put in its place. */
function bodyless(res: Response) {
  const headers = new Headers(res.headers)
  headers.delete('content-length')
  return headers
}

/** The rows a list answers: `limit` of them from `offset`, unless a fault has it otherwise. */
function pageOf(faults: SandboxFaults, rows: Row[], offset: number, limit: number): Row[] {
  if (faults.oversizedPage > 0) {
    if (rows.length === 0) return []
    return Array.from({ length: faults.oversizedPage }, (_, i) => rows[(offset + i) % rows.length]!)
  }
  const start = faults.offsetIgnored ? 0 : offset
  return rows.slice(start, start + limit)
}

function filterAppointments(state: SandboxState, query: Query, updatedAtAfter: number | undefined) {
  const { data } = state
  const match = (value: unknown, wanted: string | undefined) => !wanted || String(value) === wanted
  return data.appointments.filter((a) => {
    if (updatedAtAfter !== undefined) {
      const updatedSeconds = Math.floor((data.updatedAt.get(a.id) ?? 0) / 1000)
      const fresh = state.updatedAtAfterInclusive
        ? updatedSeconds >= updatedAtAfter
        : updatedSeconds > updatedAtAfter
      if (!fresh) return false
    }
    return (
      match(a.clinicId, query.clinicId) &&
      match(a.userId, query.userId) &&
      match(a.clientId, query.clientId) &&
      match(a.status, query.status) &&
      (!query.dateStart || a.date >= query.dateStart) &&
      (!query.dateEnd || a.date <= query.dateEnd)
    )
  })
}
