// The load test (test/edge/load.test.ts) at LOAD_SCALE times its `npm test` size (default 20: 2,400
// widget clients, ~24,000 sends), in workerd against the local D1, queue and rate limiters.
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.join(import.meta.dirname, '..')

export default async function loadBench() {
  const scale = process.env.LOAD_SCALE ?? '20'
  const vitest = path.join(root, 'node_modules', '.bin', 'vitest')
  const run = spawnSync(vitest, ['run', '--project', 'edge', 'test/edge/load.test.ts'], {
    cwd: root,
    env: { ...process.env, LOAD_SCALE: scale, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const line = `${run.stdout}\n${run.stderr}`.split('\n').find((l) => l.startsWith('LOAD '))
  if (run.status !== 0) {
    throw new Error(`the load test failed (exit ${run.status})\n${line ?? run.stdout.slice(-3000)}`)
  }
  if (!line) throw new Error('the load test printed no figures')
  return JSON.parse(line.slice('LOAD '.length))
}
