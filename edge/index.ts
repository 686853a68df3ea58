import { createApp } from './app'
import { consumeIngestBatch } from './collect/consumer'
import { purgeExpiredSessions, retentionDays } from './collect/retention'
import { createDb } from './db/client'
import { visitShards } from './db/shards'
import { assertEnv } from './env'
import { consumeImportBatch } from './imports/consumer'
import { enqueueDailyImports } from './imports/schedule'

const app = createApp()

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    assertEnv(env)
    ctx.waitUntil(enqueueDailyImports(createDb(env.DB), env.IMPORTS, new Date(controller.scheduledTime)))
    const days = retentionDays(env.SESSION_RETENTION_DAYS)
    ctx.waitUntil(purgeExpiredSessions(visitShards(env), days, new Date(controller.scheduledTime)))
  },
  async queue(batch, env) {
    assertEnv(env)
    if (batch.queue === 'ingest') await consumeIngestBatch(batch, env)
    else await consumeImportBatch(batch, { env })
  },
} satisfies ExportedHandler<Env>
