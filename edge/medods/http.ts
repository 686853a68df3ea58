import { MedodsAuthError, MedodsError, MedodsResponseError, MedodsUnavailableError } from './errors'
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
  /** The largest answer read, in bytes: a page of 100 appointments is well under 1 MB. */
  maxBytes?: number
  retry?: Partial<RetryPolicy>
}

export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024

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
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES

  /** The parsed JSON of a path under the API base, or null for 404. */
  async function getJson(path: string, query: Query = {}): Promise<unknown> {
    const url = urlOf(apiBase, path, query)
    // One deadline for the whole answer of the last attempt: its headers and its body.
    let deadline = 0
    const counted = () => {
      stats.requests++
      deadline = now() + transport.timeoutMs
      return attempt(transport, url)
    }
    const res = await withRetry(path, counted, deps)
    return decode(path, res, { maxBytes, msLeft: () => deadline - now() })
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

type BodyLimits = { maxBytes: number; msLeft: () => number }

/** A final answer as JSON; bodies that are not read are cancelled so the connection is freed. */
async function decode(path: string, res: Response, limits: BodyLimits): Promise<unknown> {
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
  // An error body is never read: a server that echoes the request would hand back the signed token.
  if (!res.ok) {
    await res.body?.cancel()
    throw new MedodsResponseError(res.status, path, 'an error status')
  }
  const text = await readBounded(path, res, limits)
  // A body a dropped connection cut short fails here: not retried, the queue redelivers the slice.
  try {
    return JSON.parse(text)
  } catch {
    throw new MedodsResponseError(res.status, path, 'the body is not JSON')
  }
}

/**
 * The body as text, streamed: reading stops past `maxBytes` (so a huge answer never sits in memory) or
 * when the deadline passes (so a body trickling a byte a second does not hold the slice).
 */
async function readBounded(path: string, res: Response, limits: BodyLimits): Promise<string> {
  const declared = Number(res.headers.get('content-length'))
  if (declared > limits.maxBytes) {
    await res.body?.cancel()
    throw tooLarge(res.status, path, limits.maxBytes)
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(0, limits.msLeft()))
  })
  let text = ''
  let bytes = 0
  try {
    for (;;) {
      const chunk = await Promise.race([reader.read(), late])
      if (chunk === 'late') {
        throw new MedodsUnavailableError('timeout', path, 'the answer did not arrive in time')
      }
      if (chunk.done) return text + decoder.decode()
      bytes += chunk.value.byteLength
      if (bytes > limits.maxBytes) throw tooLarge(res.status, path, limits.maxBytes)
      text += decoder.decode(chunk.value, { stream: true })
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    reader.cancel().catch(() => {})
  }
}

const tooLarge = (status: number, path: string, maxBytes: number) =>
  new MedodsResponseError(status, path, `an answer larger than ${maxBytes} bytes`)
