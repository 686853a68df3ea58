import type { SandboxOrder } from './data'

/**
 * Switchable faults, for resilience tests and for trying the import by hand. Counters count down per
 * API request (`Infinity` keeps a fault on); the online-booking page is never affected.
 */
export type SandboxFaults = {
  /** The next `times` requests answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimited: { times: number; retryAfterSeconds: number }
  /** The next `times` requests answer `status`: a 5xx, or a 4xx such as 422 that no retry changes. */
  serverErrors: { times: number; status: number }
  /** The next `times` requests answer only after `delayMs`: a hung clinic when longer than a client's timeout. */
  slow: { times: number; delayMs: number }
  /** Records served broken (`"appointments/5003"`, `"clients/1001"`): wrong types, a field missing. */
  malformed: Set<string>
  /** Paths under `/api/v2/` (`"orders/9005"`) that always answer 503: a record Medods cannot serve. */
  unavailable: Set<string>
  /** The next `times` successful answers are cut in the middle: JSON a dropped connection leaves. */
  truncated: { times: number }
  /** Identities whose key the clinic revoked: their tokens answer 401 from now on. */
  revoked: Set<string>
  /** The next `times` requests answer 302 to `location`: a moved clinic, or one aiming at another host. */
  redirect: { times: number; location: string }
  /**
   * How orders are served: 'standard' (`total` and `entries`); 'finalSum' (`finalSum`, `sum`, `paidSum`,
   * `status`, no `total`, no `entries`), a Medods that names its total otherwise; 'noAmount' (`paidSum` and
   * `status` only), where only `GET /entries` tells the amount.
   */
  orderShape: 'standard' | 'finalSum' | 'noAmount'
  /** Order ids that answer 404: an order deleted, or one the API role may not see. */
  ordersNotFound: Set<number>
  /** `GET /entries` answers 404: a Medods whose API does not serve order lines. */
  entriesNotServed: boolean
  /** Appointment ids whose `createdAt` is served as this value (`1e13`, `'19999-01-01'`): a date out of range. */
  badCreatedAt: Map<number, unknown>
  /** Every record carries fields the bridge does not know: nested objects, arrays, a long string. */
  extraFields: boolean
  /**
   * The next `times` authorised requests answer 200 with a body of `bytes` JSON-like bytes and no
   * Content-Length, made as the client reads it (never held in memory); what it pulled is `bodyBytesServed`.
   */
  hugeBody: { times: number; bytes: number }
  /** The next `times` successful answers send their headers at once, then one body byte every `byteEveryMs`. */
  slowBody: { times: number; byteEveryMs: number }
  /** Lists answer their first page at every offset, with `totalItems: 1e9`: a Medods ignoring `offset`. */
  offsetIgnored: boolean
  /** Lists answer this many items whatever `limit` asked for, rows repeated as needed (0: off). */
  oversizedPage: number
  /** Error answers (4xx, 5xx) echo the request in their body, its Authorization header (the signed token) too. */
  echoErrors: boolean
}

export const noFaults = (): SandboxFaults => ({
  rateLimited: { times: 0, retryAfterSeconds: 1 },
  serverErrors: { times: 0, status: 500 },
  slow: { times: 0, delayMs: 0 },
  malformed: new Set(),
  unavailable: new Set(),
  truncated: { times: 0 },
  revoked: new Set(),
  redirect: { times: 0, location: 'http://127.0.0.1:9/' },
  orderShape: 'standard',
  ordersNotFound: new Set(),
  entriesNotServed: false,
  badCreatedAt: new Map(),
  extraFields: false,
  hugeBody: { times: 0, bytes: 64 * 1024 * 1024 },
  slowBody: { times: 0, byteEveryMs: 200 },
  offsetIgnored: false,
  oversizedPage: 0,
  echoErrors: false,
})

/** Takes one use of a fault when it is on. */
export function consume(fault: { times: number }): boolean {
  if (fault.times <= 0) return false
  fault.times--
  return true
}

/** A record as a buggy Medods would send it: a number where a string belongs, a required field gone. */
export function breakRecord(record: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, title: _title, ...rest } = record
  return { ...rest, date: 20250520, surname: 42, phone: { wrong: true } }
}

/** Fields no Medods documents, as a newer or a customised one may add: nested, listed, long. */
const EXTRA_FIELDS = {
  customFields: [{ id: 7, title: 'Откуда узнали', value: { kind: 'select', options: ['Сайт', 'Друзья'] } }],
  meta: { revision: 3, flags: { beta: true }, history: [[1, 2], [3, [4, { deep: null }]]] },
  legacyPayload: 'Ж'.repeat(2_000),
}

export const withExtraFields = (record: Record<string, unknown>) => ({ ...record, ...EXTRA_FIELDS })

/** An order as `shape` serves it; `paid` tells whether its appointment was paid. */
export function shapeOrder(
  order: SandboxOrder,
  entries: unknown[],
  shape: SandboxFaults['orderShape'],
  paid: boolean
): { id: number } & Record<string, unknown> {
  if (shape === 'standard') return { ...order, entries }
  const payment = { paidSum: paid ? order.total : 0, status: paid ? 'paid' : 'not_paid' }
  const { id, clientId } = order
  if (shape === 'finalSum') return { id, clientId, finalSum: order.total, sum: order.total, ...payment }
  return { id, clientId, ...payment }
}

/** An error page that echoes the request as received, every header (Authorization too) included. */
export function echoBody(request: Request, status: number) {
  const headers = Object.fromEntries(request.headers)
  return { errors: [`HTTP ${status}`], request: { method: request.method, url: request.url, headers } }
}
