// The Worker for the benches: bench/harness/entry.ts (the real edge/index.ts behind a counting D1)
// bundled with esbuild, run by Miniflare on a real HTTP port with wrangler.toml's bindings, an
// in-memory D1 carrying the real migrations, and Medods calls answered by the sandbox in this process.
import path from 'node:path'
import { readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { ensureDevVars } from '../../scripts/local-env.mjs'
import { QUIET_WRANGLER_ENV } from '../../scripts/wrangler.mjs'

Object.assign(process.env, QUIET_WRANGLER_ENV)
const { unstable_getMiniflareWorkerOptions } = await import('wrangler')

const ROOT = path.resolve(import.meta.dirname, '../..')

async function bundleHarness() {
  const result = await build({
    entryPoints: [path.join(ROOT, 'bench/harness/entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    write: false,
    logLevel: 'error',
  })
  return result.outputFiles[0].text
}

/** Limits far above any bench load: the benches measure the collector, not the limiter (still called). */
const OPEN_LIMIT = { simple: { limit: 1_000_000_000, period: 60 } }

/**
 * Starts the bench Worker. `outbound` answers the Worker's outgoing fetches (the Medods sandbox);
 * without it they fail. Answers the Miniflare instance, its URL and a `bench(path, init)` helper.
 */
export async function startWorker({ outbound } = {}) {
  // The bindings' secrets come from .dev.vars, as for `npm start`.
  ensureDevVars()
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, 'wrangler.toml'))
  const { ['medods-imports']: _importsRunByTheHarness, ...consumers } = workerOptions.queueConsumers
  const mf = new Miniflare({
    ...workerOptions,
    name: 'bench',
    modules: [{ type: 'ESModule', path: path.join(ROOT, 'bench-worker.mjs'), contents: await bundleHarness() }],
    d1Databases: { DB: 'bench-db' },
    queueConsumers: consumers,
    ratelimits: { COLLECT_IP_LIMIT: OPEN_LIMIT, COLLECT_SITE_LIMIT: OPEN_LIMIT },
    outboundService: outbound ?? (() => new Response('no outbound network in the bench', { status: 502 })),
    host: '127.0.0.1',
    port: 0,
    cf: false,
  })
  const url = await mf.ready
  const db = await mf.getD1Database('DB')
  for (const migration of await readD1Migrations(path.join(ROOT, 'migrations'))) {
    await db.batch(migration.queries.map((q) => db.prepare(q)))
  }
  const bench = async (route, init) => (await mf.dispatchFetch(new URL(route, url), init)).json()
  return { mf, url: url.toString().replace(/\/$/, ''), db, bench, bindings: workerOptions.bindings }
}
