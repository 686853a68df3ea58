// The Worker for the benches: bench/harness/entry.ts (the real edge/index.ts behind counting D1s)
// bundled with esbuild, run by Miniflare on a real HTTP port with wrangler.toml's bindings, in-memory
// D1s carrying the real migrations (the main one, and migrations-visits/ on every visits shard), and
// Medods calls answered by the sandbox in this process.
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

/** The visits shard bindings wrangler.toml declares, VISITS_0 … in order (edge/db/shards.ts stops at a gap). */
function shardBindings(d1Databases) {
  const names = []
  while (`VISITS_${names.length}` in d1Databases) names.push(`VISITS_${names.length}`)
  return names
}

// BENCH_PORT (e.g. 9400) gives the Workers of one bench process consecutive ports from it, so a run can
// keep clear of other servers on the machine; unset, the system picks a free port.
let nextPort = Number(process.env.BENCH_PORT) || 0
const takePort = () => (nextPort ? nextPort++ : 0)

async function migrate(db, dir) {
  for (const migration of await readD1Migrations(path.join(ROOT, dir))) {
    await db.batch(migration.queries.map((q) => db.prepare(q)))
  }
}

/**
 * Starts the bench Worker. `outbound` answers the Worker's outgoing fetches (the Medods sandbox);
 * without it they fail. `shards` binds only the first that many of wrangler.toml's visits shards (the
 * collector bench compares one with two). Answers the Miniflare instance, its URL, the main D1 (`db`),
 * the shards' D1s (`visits`, by number) and a `bench(path, init)` helper.
 */
export async function startWorker({ outbound, shards } = {}) {
  // The bindings' secrets come from .dev.vars, as for `npm start`.
  ensureDevVars()
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, 'wrangler.toml'))
  const { ['medods-imports']: _importsRunByTheHarness, ...consumers } = workerOptions.queueConsumers
  const visitNames = shardBindings(workerOptions.d1Databases).slice(0, shards)
  const mf = new Miniflare({
    ...workerOptions,
    name: 'bench',
    modules: [{ type: 'ESModule', path: path.join(ROOT, 'bench-worker.mjs'), contents: await bundleHarness() }],
    d1Databases: { DB: 'bench-db', ...Object.fromEntries(visitNames.map((name, n) => [name, `bench-visits-${n}`])) },
    queueConsumers: consumers,
    ratelimits: { COLLECT_IP_LIMIT: OPEN_LIMIT, COLLECT_SITE_LIMIT: OPEN_LIMIT },
    outboundService: outbound ?? (() => new Response('no outbound network in the bench', { status: 502 })),
    host: '127.0.0.1',
    port: takePort(),
    cf: false,
  })
  const url = await mf.ready
  const db = await mf.getD1Database('DB')
  await migrate(db, 'migrations')
  const visits = []
  for (const name of visitNames) {
    visits.push(await mf.getD1Database(name))
    await migrate(visits.at(-1), 'migrations-visits')
  }
  const bench = async (route, init) => (await mf.dispatchFetch(new URL(route, url), init)).json()
  return { mf, url: url.toString().replace(/\/$/, ''), db, visits, bench, bindings: workerOptions.bindings }
}
