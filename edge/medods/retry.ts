import { MedodsUnavailableError } from './errors'

export type RetryPolicy = {
  /** Retries allowed over the whole run (client instance), so a sick clinic cannot eat the invocation. */
  budget: number
  /** Attempts per request, the first included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** A Retry-After above this is not waited for: the run gives up and resumes from its cursor later. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {
  budget: 20,
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
}

/** What one attempt gave: a final response, or a transient failure worth another try. */
export type Attempt =
  | { done: Response }
  | {
      transient: 'network' | 'timeout' | 'rate_limited' | 'server_error'
      detail: string
      retryAfterMs?: number
    }

export type RetryState = { retries: number }

export const backoffMs = (policy: RetryPolicy, retryIndex: number) =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex)

/** Seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** 429 and 5xx are worth another try; every other status is the answer. */
export async function transientOrDone(res: Response, now: () => number): Promise<Attempt> {
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
}

/**
 * Runs `attempt` until it gives a final response. Transient failures wait (Retry-After when the
 * server names one, else capped exponential backoff) while the request's attempts and the run's
 * budget last.
 */
export async function withRetry(
  path: string,
  attempt: () => Promise<Attempt>,
  deps: { policy: RetryPolicy; state: RetryState; sleep: (ms: number) => Promise<void> }
): Promise<Response> {
  const { policy, state, sleep } = deps
  for (let n = 0; ; n++) {
    const outcome = await attempt()
    if ('done' in outcome) return outcome.done
    const delay = outcome.retryAfterMs ?? backoffMs(policy, n)
    const giveUp =
      n + 1 >= policy.maxAttempts ||
      state.retries >= policy.budget ||
      delay > policy.maxRetryAfterMs
    if (giveUp) throw new MedodsUnavailableError(outcome.transient, path, outcome.detail)
    state.retries++
    await sleep(delay)
  }
}
