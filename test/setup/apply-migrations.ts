// Runs before each test file. Safe to re-run: applyD1Migrations skips migrations already recorded in
// d1_migrations, and the pool gives each test file its own isolated storage anyway. The main database
// gets migrations/, both visits shards (wrangler.toml) migrations-visits/.
import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
await applyD1Migrations(env.VISITS_0, env.TEST_VISITS_MIGRATIONS)
await applyD1Migrations(env.VISITS_1, env.TEST_VISITS_MIGRATIONS)
