// npm start: local D1 migrations, demo seed, then the Worker on http://127.0.0.1:8787. Ctrl-C stops it all.
import { localToken, ensureDevVars } from './local-env.mjs'
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
await runWrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist])
await runWrangler(['d1', 'execute', 'DB', '--local', ...persist, '--file', 'scripts/seed.sql'])

const worker = spawnWrangler(['dev', '--port', String(PORT), '--ip', '127.0.0.1', ...persist], {
  stdio: ['ignore', 'inherit', 'inherit'],
})
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
console.log(`
Ready.
  Health:        ${ORIGIN}/health
  Cabinet API:   ${ORIGIN}/api/v1/sites   (account "${DEMO_ACCOUNT}")
  OpenAPI:       ${ORIGIN}/openapi.json
  Run the cron:  curl "${ORIGIN}/cdn-cgi/handler/scheduled?cron=0+3+*+*+*"

  Token:  ${token}
  Try:    curl -H "Authorization: Bearer ${token}" ${ORIGIN}/api/v1/sites

Ctrl-C stops everything.`)
