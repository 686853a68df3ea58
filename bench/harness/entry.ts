/**
 * The bench's Worker: the real Worker (edge/index.ts) behind a D1 binding that counts statements, plus
 * a few `/__bench/*` routes for the harness. Bundled by bench/lib/miniflare.mjs; never deployed.
 */
import type { ImportJob } from '../../edge/imports/jobs'
import { runImportJob } from '../../edge/imports/run'
import worker from '../../edge/index'
import { countingD1, zeroCounts, type D1Counts } from './counting-d1'

type Counters = {
  /** D1 work done while answering HTTP requests (POST /c reads the site, cached per isolate). */
  fetch: D1Counts
  /** D1 work of the ingest consumer, and what it consumed. */
  ingest: D1Counts & { messages: number; events: number; batchesDelivered: number }
}

const fresh = (): Counters => ({
  fetch: zeroCounts(),
  ingest: { ...zeroCounts(), messages: 0, events: 0, batchesDelivered: 0 },
})
let counters = fresh()

const withDb = (env: Env, counts: D1Counts): Env => ({ ...env, DB: countingD1(env.DB, counts) })

/** Runs a requests import to its end, running each continuation it enqueues in turn, as the queue would. */
async function importToEnd(env: Env, job: ImportJob) {
  const d1 = zeroCounts()
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
