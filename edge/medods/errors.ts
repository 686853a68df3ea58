/**
 * What can stop a Medods call. Only these leave the client; each carries a message that names no secret,
 * so a run can store it as its failure reason.
 */
export class MedodsError extends Error {
  override name = 'MedodsError'
  /** What a run stores before its message, and what the pages turn into a Russian sentence. */
  readonly code: MedodsErrorCode = 'bad_uid'
}

export const MEDODS_ERROR_CODES = [
  'bad_uid',
  'key_rejected',
  'access_refused',
  'medods_unavailable',
  'unexpected_answer',
] as const
export type MedodsErrorCode = (typeof MEDODS_ERROR_CODES)[number]

/**
 * 401 or 403: never retried. The sandbox answers 401 for a token it cannot accept and 403 for a valid key
 * whose API role lacks the resource; real Medods may answer 403 to both (medods-api.md §4).
 */
export class MedodsAuthError extends MedodsError {
  override name = 'MedodsAuthError'
  override readonly code: MedodsErrorCode
  constructor(
    readonly status: 401 | 403,
    readonly path: string
  ) {
    super(
      status === 401
        ? `Medods rejected the key (401 on ${path})`
        : `Medods refused access (403 on ${path}): the API role lacks a permission or the key is bad`
    )
    this.code = status === 401 ? 'key_rejected' : 'access_refused'
  }
}

/** Network errors, timeouts, 429 and 5xx that outlasted the retries. */
export class MedodsUnavailableError extends MedodsError {
  override name = 'MedodsUnavailableError'
  override readonly code = 'medods_unavailable'
  constructor(
    readonly reason: 'network' | 'timeout' | 'rate_limited' | 'server_error',
    readonly path: string,
    detail: string
  ) {
    super(`Medods unavailable on ${path}: ${detail}`)
  }
}

/** An answer that is not a Medods API answer: an unexpected status, a non-JSON body, a wrong envelope. */
export class MedodsResponseError extends MedodsError {
  override name = 'MedodsResponseError'
  override readonly code = 'unexpected_answer'
  constructor(
    readonly status: number,
    readonly path: string,
    detail: string
  ) {
    super(`Unexpected Medods answer on ${path} (HTTP ${status}): ${detail}`)
  }
}
