// Moves one site's visits to another shard through the Worker's admin route, one step a request,
// until it is done (README, "Visit shards"). Stop it any time and run it again with the same arguments:
// the site row holds the phase and the copy's cursor, and every step is idempotent.
//
//   ADMIN_TOKEN=... node scripts/move-site.mjs --url https://bridge.example.com --site <site id> --to 1
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { url: { type: 'string' }, site: { type: 'string' }, to: { type: 'string' } },
})
const token = process.env.ADMIN_TOKEN
if (!values.url || !values.site || !/^\d+$/.test(values.to ?? '') || !token) {
  console.error('usage: ADMIN_TOKEN=... node scripts/move-site.mjs --url <worker origin> --site <id> --to <n>')
  process.exit(2)
}
const endpoint = new URL(`/admin/sites/${encodeURIComponent(values.site)}/move`, values.url)
const body = JSON.stringify({ to: Number(values.to) })
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000))

/** One step; network failures and 5xx are retried a few times, a 4xx (it will not change) ends the move. */
async function step() {
  for (let failures = 1; ; failures++) {
    let problem
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      })
      if (res.ok) return res.json()
      problem = `${res.status} ${await res.text()}`
      if (res.status < 500) throw new Error(`move refused: ${problem}`)
    } catch (err) {
      if (String(err.message).startsWith('move refused')) throw err
      problem ??= String(err)
    }
    if (failures >= 5) throw new Error(`move failed: ${problem}`)
    console.error(`step failed (${problem}), retrying`)
    await sleep(5 * failures)
  }
}

try {
  for (;;) {
    const { phase, copied, deleted, after, waitSeconds } = await step()
    console.log(`${phase}: copied ${copied}, deleted ${deleted}${after ? `, copied up to ${after}` : ''}`)
    if (phase === 'done') break
    if (waitSeconds) await sleep(waitSeconds)
  }
  console.log(`site ${values.site} is on shard ${values.to}`)
} catch (err) {
  console.error(err.message)
  process.exit(1)
}
