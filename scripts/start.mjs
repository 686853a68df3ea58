// npm start: local D1 migrations (main and visits shards), demo seed, the Medods sandbox on :8788, then the Worker on
// http://127.0.0.1:8787. Ctrl-C stops it all.
import { execFileSync } from 'node:child_process'
import { DEMO_UTM, seedDemoIntegration } from './demo-seed.mjs'
import { localToken, ensureDevVars } from './local-env.mjs'
import { migrateAll } from './migrate.mjs'
import { startMedodsSandbox } from './medods-sandbox.mjs'
import { runWrangler, spawnWrangler } from './wrangler.mjs'

const PORT = Number(process.env.PORT ?? 8787)
const ORIGIN = `http://127.0.0.1:${PORT}`
const DEMO_ACCOUNT = 'demo-clinic'
// Tests point STATE_DIR elsewhere so they never touch the developer's local database.
const persist = process.env.STATE_DIR ? ['--persist-to', process.env.STATE_DIR] : []

async function waitForHealth(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`)
}

ensureDevVars()
// The Worker serves the widget from a module the build generates (git-ignored).
execFileSync(process.execPath, ['widget/build.mjs'], { stdio: 'inherit' })
// The main database and both visits shards, each with its own migrations folder.
await migrateAll(['--local', ...persist])
await runWrangler(['d1', 'execute', 'DB', '--local', ...persist, '--file', 'scripts/seed.sql'])

// In this process, so it ends with it; MEDODS_SANDBOX_PORT moves it.
const medods = await startMedodsSandbox()
// The /demo page embeds the sandbox's booking page, wherever MEDODS_SANDBOX_PORT put it.
const demoVar = ['--var', `DEMO_BOOKING_ORIGIN:${new URL(medods.url).origin}`]
const worker = spawnWrangler(
  ['dev', '--port', String(PORT), '--ip', '127.0.0.1', ...persist, ...demoVar],
  { stdio: ['ignore', 'inherit', 'inherit'] }
)
let stopping = false
const stop = (signal) => {
  stopping = true
  worker.kill(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT')
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
worker.on('exit', (code) => process.exit(stopping ? 0 : (code ?? 1)))

await waitForHealth(`${ORIGIN}/health`)
const token = await localToken(DEMO_ACCOUNT)
// A failed seed (e.g. an old .dev.vars without MEDODS_ALLOW_LOCAL=1) leaves the rest usable.
const demo = await seedDemoIntegration(ORIGIN, token, medods).catch((err) => {
  console.error(`Demo integration not created: ${err.message}`)
  return { id: '' }
})
console.log(`
Ready.
  Health:        ${ORIGIN}/health
  Cabinet API:   ${ORIGIN}/api/v1/sites   (account "${DEMO_ACCOUNT}")
  OpenAPI:       ${ORIGIN}/openapi.json
  Run the cron:  curl "${ORIGIN}/cdn-cgi/handler/scheduled?cron=0+3+*+*+*"

  Demo site:     ${ORIGIN}/demo?${DEMO_UTM}
  Pages:         ${ORIGIN}/app  (sign in with the token below)
  Integration:   ${ORIGIN}/app/integrations/${demo.id}

  Medods sandbox: ${medods.url}  (API v2 at ${medods.url}api/v2/)
  Booking page:   ${medods.bookingUrl}
  Medods key:     Identity ${medods.identity}
                  SecretKey ${medods.secretKey}

  Token:  ${token}
  Try:    curl -H "Authorization: Bearer ${token}" ${ORIGIN}/api/v1/sites

Ctrl-C stops everything.`)
