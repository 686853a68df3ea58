// Applies the D1 migrations to the main database and to every visits shard wrangler.toml binds
// (VISITS_0, VISITS_1, …): `node scripts/migrate.mjs --local [--persist-to dir]` or `--remote`.
import { readFileSync } from 'node:fs'
import { runWrangler } from './wrangler.mjs'

/** The D1 bindings of wrangler.toml: DB first, then the shards in order. */
export function d1Bindings() {
  const toml = readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8')
  const shards = [...toml.matchAll(/^binding = "(VISITS_\d+)"/gm)].map((m) => m[1])
  return ['DB', ...shards.sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)))]
}

export async function migrateAll(args) {
  for (const binding of d1Bindings()) await runWrangler(['d1', 'migrations', 'apply', binding, ...args])
}

if (import.meta.url === `file://${process.argv[1]}`) await migrateAll(process.argv.slice(2))
