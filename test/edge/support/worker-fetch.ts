import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import worker from '../../../edge/index'

/**
 * The Worker's own fetch handler with the real bindings. Same code path as `exports.default.fetch`, but
 * without the pool's loopback, whose cost grows with every request a file has made (measured: ~1 ms a
 * request at first, seconds after a few hundred), which tests of hundreds of requests cannot afford.
 */
export const workerFetch = (url: string, init?: RequestInit) =>
  worker.fetch(new Request(url, init), env, createExecutionContext())
