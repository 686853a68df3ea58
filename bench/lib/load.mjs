// A small closed-loop load generator: `connections` keep-alive connections, each sending its next
// request as soon as the previous answer arrives, for `durationMs`. No dependency, so nothing to pin.
import http from 'node:http'

export const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN

export const median = (values) => percentile([...values].sort((a, b) => a - b), 50)

function send(agent, url, { method, headers, body }) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const request = http.request(url, { agent, method, headers }, (response) => {
      response.resume()
      response.on('end', () =>
        resolve({ status: response.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 })
      )
    })
    request.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }))
    // A function body is made at the moment of sending (the widget stamps its send time then).
    request.end(typeof body === 'function' ? body() : body)
  })
}

/**
 * Runs the load; `next()` gives each request's `{ method, headers, body }`. Answers requests per second,
 * latency percentiles (ms) and the count of each status.
 */
export async function runLoad(url, next, { connections = 16, durationMs = 5000 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const latencies = []
  const statuses = {}
  const deadline = performance.now() + durationMs
  const started = performance.now()
  const loop = async () => {
    while (performance.now() < deadline) {
      const { status, ms } = await send(agent, url, next())
      latencies.push(ms)
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
  }
}

/** Sends every request once over `connections` keep-alive connections; answers the count of each status. */
export async function sendAll(url, requests, { connections = 16 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const statuses = {}
  let next = 0
  const loop = async () => {
    while (next < requests.length) {
      const { status } = await send(agent, url, requests[next++])
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  agent.destroy()
  return statuses
}
