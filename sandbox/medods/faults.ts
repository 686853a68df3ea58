/**
 * Switchable faults, for resilience tests and for trying the import by hand. Counters count down per
 * API request (`Infinity` keeps a fault on); the online-booking page is never affected.
 */
export type SandboxFaults = {
  /** The next `times` requests answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimited: { times: number; retryAfterSeconds: number }
  /** The next `times` requests answer `status` (5xx). */
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
