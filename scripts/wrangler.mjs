// Runs the project's wrangler with the variables that stop it from calling out (toolchain.md §3).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const QUIET_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  NO_COLOR: '1',
}

export const WRANGLER_BIN = fileURLToPath(new URL('../node_modules/.bin/wrangler', import.meta.url))

/** Spawns wrangler with stdin closed, so confirmations fall back to "yes". */
export function spawnWrangler(args, options = {}) {
  return spawn(WRANGLER_BIN, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    ...options,
    env: { ...process.env, ...QUIET_WRANGLER_ENV, ...options.env },
  })
}

export function runWrangler(args, options) {
  return new Promise((resolve, reject) => {
    const child = spawnWrangler(args, options)
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(' ')} exited with ${code}`))
    )
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runWrangler(process.argv.slice(2)).catch((err) => {
    console.error(err.message)
    process.exit(1)
  })
}
