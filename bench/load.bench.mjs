// Load with accounting at a larger size: test/edge/load.test.ts in workerd (POST /c, the local ingest
// queue and its real consumer, the local D1) at LOAD_SCALE times its `npm test` size. Default 7: 840
// widget clients, ~9,800 sends; the local queue broker stops at 10,000 messages per runtime.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { report, table } from './lib/report.mjs'

const root = path.join(import.meta.dirname, '..')
const scale = process.env.LOAD_SCALE ?? '7'
const run = spawnSync(
  path.join(root, 'node_modules', '.bin', 'vitest'),
  ['run', '--project', 'edge', 'test/edge/load.test.ts', '-t', 'none lost'],
  { cwd: root, env: { ...process.env, LOAD_SCALE: scale, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 1 << 26 }
)
const line = `${run.stdout}\n${run.stderr}`.split('\n').find((l) => l.startsWith('LOAD '))
if (!line) {
  console.error(run.stdout.slice(-4000), run.stderr.slice(-4000))
  process.exit(1)
}
const f = JSON.parse(line.slice('LOAD '.length))
const rows = [
  ['widget clients (each its own address) / sites', `${f.clients} / ${f.sites}`],
  ['sends (POST /c) / answered 204', `${f.requests} / ${f.accepted}`],
  ['refused sends by status', JSON.stringify(f.rejected)],
  ['events sent, retries included', f.eventsSent],
  ['unique event ids accepted', f.uniqueEvents],
  ['events stored in D1', f.stored],
  ['lost / doubled / on the wrong session', `${f.lost} / ${f.doubled} / ${f.wrongSession}`],
  ['send phase (ms) / sends per second', `${f.sendMs} / ${f.sendsPerSecond}`],
  ['queue drained after the last send (ms)', f.drainMs],
]
report({
  title: `Load with accounting (scale ${f.scale})`,
  markdown: table(['figure', 'value'], rows),
  results: f,
})
process.exit(run.status === 0 ? 0 : 1)
