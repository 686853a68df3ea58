import { MedodsAuthError, MedodsError, MedodsResponseError } from './errors'
import { type Attempt, DEFAULT_RETRY, type RetryPolicy, transientOrDone, withRetry } from './retry'
import { tokenSource } from './token'
import { parseMedodsUid } from './uid'

export type MedodsCredentials = { uid: string; identity: string; secretKey: string }

export type MedodsHttpOptions = {
  /** Lets the UID be `http://127.0.0.1:<port>/` (the sandbox); only the local `.dev.vars` sets it. */
  allowLocal: boolean
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
}

/** What an import run records of its traffic; `retries` is also the run's spent retry budget. */
export type RequestStats = { requests: number; retries: number }

export type Query = Record<string, string | number | undefined>

/** What one attempt needs besides its URL. */
type Transport = {
  fetch: typeof fetch
  token: () => Promise<string>
  now: () => number
  timeoutMs: number
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * GETs against one clinic's Medods API v2: the token, timeouts, retries within a budget shared by every
 * call of this instance, status classes and JSON decoding. It never writes and never follows a redirect.
 * `stats` may be a bigger counter object the caller owns, so its own counts travel with these.
 */
export function createMedodsHttp(
  creds: MedodsCredentials,
  opts: MedodsHttpOptions,
  stats: RequestStats = { requests: 0, retries: 0 }
) {
  const parsed = parseMedodsUid(creds.uid, opts.allowLocal)
  if ('error' in parsed) throw new MedodsError(`Medods UID ${parsed.error}`)
  const { apiBase } = parsed
  const now = opts.now ?? Date.now
  const transport: Transport = {
    // Looked up per call, so a test that swaps the global fetch later still reaches its stand-in.
    fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
    token: tokenSource(creds.identity, creds.secretKey, now),
    now,
    timeoutMs: opts.timeoutMs ?? 20_000,
  }
  const policy = { ...DEFAULT_RETRY, ...opts.retry }
  const deps = { policy, state: stats, sleep: opts.sleep ?? realSleep }

  /** The parsed JSON of a path under the API base, or null for 404. */
  async function getJson(path: string, query: Query = {}): Promise<unknown> {
    const url = urlOf(apiBase, path, query)
    const counted = () => {
      stats.requests++
      return attempt(transport, url)
    }
    return decode(path, await withRetry(path, counted, deps))
  }

  return { getJson, stats }
}

export type MedodsHttp = ReturnType<typeof createMedodsHttp>

function urlOf(apiBase: string, path: string, query: Query) {
  const url = new URL(path, apiBase)
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value))
  }
  return url.toString()
}

async function attempt(t: Transport, url: string): Promise<Attempt> {
  const headers = { authorization: `Bearer ${await t.token()}`, accept: 'application/json' }
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  // Raced rather than trusted to the signal alone, so a fetch that ignores aborts still times out.
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), t.timeoutMs)
  })
  try {
    // Never followed: a redirect could carry the key's token to a host outside the UID allow-list.
    const request = t.fetch(url, { headers, signal: controller.signal, redirect: 'manual' })
    const res = await Promise.race([request, timeout])
    if (res === 'timeout') {
      controller.abort()
      return { transient: 'timeout', detail: `no answer within ${t.timeoutMs} ms` }
    }
    return await transientOrDone(res, t.now)
  } catch (err) {
    return { transient: 'network', detail: err instanceof Error ? err.message : String(err) }
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

/** A final answer as JSON; bodies that are not read are cancelled so the connection is freed. */
async function decode(path: string, res: Response): Promise<unknown> {
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
  // A body a dropped connection cut short fails here: not retried, the queue redelivers the slice.
  try {
    return JSON.parse(text)
  } catch {
    throw new MedodsResponseError(res.status, path, 'the body is not JSON')
  }
}
