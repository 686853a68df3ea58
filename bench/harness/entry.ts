/**
 * The bench's Worker: the real Worker (edge/index.ts) behind D1 bindings that count statements (the main
 * database and every visits shard, apart and together), plus a few `/__bench/*` routes for the harness.
 * Bundled by bench/lib/worker.mjs; never deployed.
 */
import type { ImportJob } from '../../edge/imports/jobs'
import { runImportJob } from '../../edge/imports/run'
import worker from '../../edge/index'
import { countingD1, zeroCounts, type D1Counts } from './counting-d1'

/** All D1 work (the top-level counts), and the same split into the main database and each visits shard. */
type Split = D1Counts & { main: D1Counts; shards: D1Counts[] }

type Counters = {
  /** D1 work done while answering HTTP requests (POST /c reads the site, cached per isolate). */
  fetch: Split
  /** D1 work of the ingest consumer, and what it consumed. */
  ingest: Split & { messages: number; events: number; batchesDelivered: number }
}

/** The shard bindings as edge/db/shards.ts finds them: VISITS_0, VISITS_1, … up to the first gap. */
function shardNames(env: Env): string[] {
  const names: string[] = []
  while (`VISITS_${names.length}` in env) names.push(`VISITS_${names.length}`)
  return names
}

/** Shards' tallies appear as the first statement reaches them (withDb). */
const split = (): Split => ({ ...zeroCounts(), main: zeroCounts(), shards: [] })
const fresh = (): Counters => ({
  fetch: split(),
  ingest: { ...split(), messages: 0, events: 0, batchesDelivered: 0 },
})
let counters = fresh()

/** The env with DB and every VISITS_n counting into `counts`, each statement in its own and the total. */
function withDb(env: Env, counts: Split): Env {
  const bindings = env as unknown as Record<string, D1Database>
  const shards = shardNames(env).map((name, n) => {
    counts.shards[n] ??= zeroCounts()
    return [name, countingD1(bindings[name]!, counts, counts.shards[n]!)]
  })
  return { ...env, DB: countingD1(env.DB, counts, counts.main), ...Object.fromEntries(shards) }
}

/** Runs a requests import to its end, running each continuation it enqueues in turn, as the queue would. */
async function importToEnd(env: Env, job: ImportJob) {
  const d1 = split()
  const queued: ImportJob[] = []
  const imports = {
    send: async (body: ImportJob) => void queued.push(body),
    sendBatch: async (messages: { body: ImportJob }[]) => void queued.push(...messages.map((m) => m.body)),
  } as unknown as Queue
  const deps = { env: { ...withDb(env, d1), IMPORTS: imports } }
  const started = Date.now()
  let slices = 0
  for (let next: ImportJob | undefined = job; next; next = queued.shift()) {
    await runImportJob(deps, next)
    slices++
  }
  return { ms: Date.now() - started, slices, d1, runId: `cron:${job.kind}:${job.integrationId}:${job.scheduledAt}` }
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url)
    if (pathname === '/__bench/counts') return Response.json(counters)
    if (pathname === '/__bench/reset') {
      counters = fresh()
      return Response.json(counters)
    }
    if (pathname === '/__bench/import') {
      const job = (await request.json()) as ImportJob
      return Response.json(await importToEnd(env, job))
    }
    return worker.fetch(request, withDb(env, counters.fetch), ctx)
  },
  async queue(batch, env, ctx) {
    if (batch.queue === 'ingest') {
      counters.ingest.batchesDelivered++
      counters.ingest.messages += batch.messages.length
      for (const m of batch.messages) {
        counters.ingest.events += (m.body as { payload?: { e?: unknown[] } }).payload?.e?.length ?? 0
      }
    }
    await worker.queue(batch, withDb(env, counters.ingest), ctx)
  },
} satisfies ExportedHandler<Env>
