import { createApp } from './app'
import { createDb } from './db/client'
import { assertEnv } from './env'
import { consumeImportBatch } from './imports/consumer'
import { enqueueDailyImports } from './imports/schedule'

const app = createApp()

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    assertEnv(env)
    ctx.waitUntil(enqueueDailyImports(createDb(env.DB), env.IMPORTS, new Date(controller.scheduledTime)))
  },
  async queue(batch, env) {
    assertEnv(env)
    await consumeImportBatch(batch, { env })
  },
} satisfies ExportedHandler<Env>
