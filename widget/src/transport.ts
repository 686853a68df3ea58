import { stored } from './storage'
import type { WirePayload } from './wire'

const QUEUE_KEY = '_mbq'
const queued = () => stored<WirePayload[]>(QUEUE_KEY) || []

/**
 * Sends the payload and every earlier one that failed, unchanged, so that their event ids let the
 * collector drop duplicates. A payload fails on a network error, a 5xx or a 429 (other 4xx answers
 * cannot improve by retrying); failed payloads wait in localStorage, the last 10 of them.
 */
export function send(endpoint: URL, payload: WirePayload): void {
  const queue = [...queued(), payload]
  stored(QUEUE_KEY, [])
  // A string body goes as text/plain, a CORS-safelisted type: no preflight. keepalive outlives unload.
  for (const item of queue)
    fetch(endpoint, { method: 'POST', body: JSON.stringify(item), keepalive: true })
      .then(
        (res) => res.status < 500 && res.status != 429,
        () => 0
      )
      .then((ok) => ok || stored(QUEUE_KEY, [...queued(), item].slice(-10)))
}
