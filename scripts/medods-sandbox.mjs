// The Medods sandbox as a local HTTP server (API v2 + online-booking page), for `npm start` and by hand:
// `node scripts/medods-sandbox.mjs` listens on http://127.0.0.1:8788/ (MEDODS_SANDBOX_PORT overrides).
import { serve } from '@hono/node-server'
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const ENTRY = fileURLToPath(new URL('../sandbox/medods/index.ts', import.meta.url))

/** Bundles the TypeScript sandbox in memory (no build step to forget) and imports it. */
async function loadSandbox() {
  const { outputFiles } = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'error',
  })
  const code = Buffer.from(outputFiles[0].contents).toString('base64')
  return import(`data:text/javascript;base64,${code}`)
}

/**
 * Starts the sandbox; resolves once it listens. In memory: every start is the same seeded clinic, but the
 * local D1 keeps what it imported, so online bookings get ids above the start time in seconds (`now`
 * overrides the clock): a restart never hands out an id an earlier run already gave another patient,
 * unless that run booked more than once a second.
 */
export async function startMedodsSandbox(port = Number(process.env.MEDODS_SANDBOX_PORT ?? 8788), now = Date.now) {
  const { createMedodsSandbox, DEMO_KEY } = await loadSandbox()
  const sandbox = createMedodsSandbox({ seed: 1, now, newIdFloor: Math.floor(now() / 1000) })
  const server = await new Promise((resolve, reject) => {
    const s = serve({ fetch: sandbox.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s))
    s.once('error', reject)
  })
  const url = `http://127.0.0.1:${port}/`
  return {
    url,
    bookingUrl: `${url}online/`,
    identity: DEMO_KEY.identity,
    secretKey: DEMO_KEY.secretKey,
    /** The clinic's data and an online booking, as the booking page makes it (for tests). */
    data: sandbox.data,
    book: (input) => sandbox.book(input),
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = await startMedodsSandbox()
  console.log(`Medods sandbox: ${started.url}  (API ${started.url}api/v2/, booking ${started.bookingUrl})
  Identity:  ${started.identity}
  SecretKey: ${started.secretKey}`)
  const stop = () => started.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
