// `npm run bench`: runs every bench/*.bench.mjs (or the ones named on the command line) and prints
// each one's figures. A bench exports `default async () => figures` and throws when its check fails.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = import.meta.dirname
const wanted = process.argv.slice(2)
const benches = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.mjs'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
  .sort()

let failed = 0
for (const file of benches) {
  const started = Date.now()
  try {
    const { default: bench } = await import(pathToFileURL(path.join(dir, file)).href)
    const figures = await bench()
    console.log(`${file}: ok in ${Date.now() - started} ms`, JSON.stringify(figures, null, 2))
  } catch (err) {
    failed++
    console.error(`${file}: FAILED in ${Date.now() - started} ms: ${err?.message ?? err}`)
  }
}
process.exit(failed > 0 ? 1 : 0)
