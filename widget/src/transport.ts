import { stored } from './storage'
import type { WirePayload } from './wire'

const QUEUE_KEY = '_mbq'
const queued = () => stored<Unsent[]>(QUEUE_KEY) || []

/** A payload without its send time, which each fetch adds afresh. */
export type Unsent = Omit<WirePayload, 'w'>

/**
 * Sends the payload and every earlier one that failed, unchanged but for a fresh send time `w`, so
 * that their event ids let the collector drop duplicates and their event times keep their client
 * clock. A payload fails on a network error, a 5xx or a 429 (other 4xx answers cannot improve by
 * retrying); failed payloads wait in localStorage, the last 10 of them.
 */
export function send(endpoint: URL, payload: Unsent): void {
  const queue = [...queued(), payload]
  stored(QUEUE_KEY, [])
  // A string body goes as text/plain, a CORS-safelisted type: no preflight. keepalive outlives unload,
  // and the fetch starts here, synchronously, so a send from a pagehide handler leaves.
  for (const item of queue)
    fetch(endpoint, {
      method: 'POST',
      body: JSON.stringify({ ...item, w: Date.now() }),
      keepalive: true,
    })
      .then(
        (res) => res.status < 500 && res.status != 429,
        () => 0
      )
      .then((ok) => ok || stored(QUEUE_KEY, [...queued(), item].slice(-10)))
}
