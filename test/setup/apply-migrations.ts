// Runs before each test file. Safe to re-run: applyD1Migrations skips migrations already recorded in
// d1_migrations, and the pool gives each test file its own isolated storage anyway.
import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
