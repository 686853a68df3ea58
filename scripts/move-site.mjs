// Moves one site's visits to another shard through the Worker's admin route, one step a request,
// until it is done (README, "Visit shards"). Stop it any time; run it again with the same arguments and
// it resumes: the site row holds the phase, and the copy cursor is kept in .move-<site>.json.
//
//   ADMIN_TOKEN=... node scripts/move-site.mjs --url https://bridge.example.com --site <site id> --to 1
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { url: { type: 'string' }, site: { type: 'string' }, to: { type: 'string' } },
})
const token = process.env.ADMIN_TOKEN
if (!values.url || !values.site || !/^\d+$/.test(values.to ?? '') || !token) {
  console.error('usage: ADMIN_TOKEN=... node scripts/move-site.mjs --url <worker origin> --site <id> --to <n>')
  process.exit(2)
}
const to = Number(values.to)
const stateFile = `.move-${values.site.replace(/[^\w-]/g, '_')}.json`
const saved = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {}
let after = saved.to === to ? (saved.after ?? null) : null
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000))

for (let failures = 0; ; ) {
  let res
  try {
    res = await fetch(new URL(`/admin/sites/${encodeURIComponent(values.site)}/move`, values.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to, after }),
    })
  } catch (err) {
    res = { ok: false, status: 0, text: async () => String(err) }
  }
  if (!res.ok) {
    const text = await res.text()
    // A 4xx will not change by retrying; anything else (network, 5xx) is retried a few times.
    if ((res.status >= 400 && res.status < 500) || ++failures > 5) {
      console.error(`move failed: ${res.status} ${text}`)
      process.exit(1)
    }
    console.error(`step failed (${res.status}), retrying: ${text}`)
    await sleep(5 * failures)
    continue
  }
  failures = 0
  const step = await res.json()
  after = step.after
  writeFileSync(stateFile, JSON.stringify({ to, after }))
  console.log(`${step.phase}: copied ${step.copied}, deleted ${step.deleted}${after ? `, after ${after}` : ''}`)
  if (step.phase === 'done') break
  if (step.waitSeconds) await sleep(step.waitSeconds)
}
rmSync(stateFile, { force: true })
console.log(`site ${values.site} is on shard ${to}`)
