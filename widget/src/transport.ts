import { readJson, writeJson } from './storage'
import type { WirePayload } from './wire'

const QUEUE_KEY = '_mbq'

/**
 * Sends the payload and every earlier one that failed, unchanged, so that their event ids let the
 * collector drop duplicates. A payload fails on a network error, a 5xx or a 429 (other 4xx answers
 * cannot improve by retrying); failed payloads wait in localStorage, the last 10 of them.
 */
export function send(endpoint: string, payload: WirePayload): void {
  const queue = [...(readJson<WirePayload[]>(QUEUE_KEY) || []), payload]
  writeJson(QUEUE_KEY, [])
  // A string body goes as text/plain, a CORS-safelisted type: no preflight. keepalive outlives unload.
  for (const item of queue)
    fetch(endpoint, { method: 'POST', body: JSON.stringify(item), keepalive: true })
      .then(
        (res) => res.status < 500 && res.status != 429,
        () => false
      )
      .then(
        (ok) =>
          ok ||
          writeJson(QUEUE_KEY, [...(readJson<WirePayload[]>(QUEUE_KEY) || []), item].slice(-10))
      )
}
