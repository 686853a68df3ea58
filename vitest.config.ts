import { createHash } from 'node:crypto'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { experimental_readRawConfig } from 'wrangler'
import { defineConfig } from 'vitest/config'

/** Fixed test secrets: tests sign tokens and check ciphertexts with them. */
export const TEST_SECRETS = {
  CABINET_JWT_SECRET: 'test-cabinet-jwt-secret-0123456789abcdef',
  SECRETS_KEY: 'dGVzdC1hZXMta2V5LTMyLWJ5dGVzLWxvbmctMDEyMzQ=',
  CONTACT_HASH_KEY: 'test-contact-hash-pepper',
  ADMIN_TOKEN: 'test-admin-token-0123456789',
  MEDODS_ALLOW_LOCAL: '1',
}

/**
 * wrangler.toml, copied as JSON into a folder of its own. Wrangler loads `.dev.vars` (or `.env`) from the
 * folder of the config it reads, and the pool has no option to turn that off; a developer's `.dev.vars`
 * (made by `npm start`) would then change the tests' bindings. The copy's folder holds no such file, so the
 * edge tests see wrangler.toml's [vars] plus the bindings below, nothing else. Named by content and written
 * with a rename, so parallel runs never read a half-written file.
 */
function wranglerConfigWithoutDevVars(): string {
  const root = import.meta.dirname
  const { rawConfig } = experimental_readRawConfig({ config: path.join(root, 'wrangler.toml') })
  const text = JSON.stringify({ ...rawConfig, main: path.join(root, String(rawConfig.main)) }, null, 2)
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16)
  const dir = path.join(root, 'node_modules', '.cache', 'edge-wrangler', hash)
  const file = path.join(dir, 'wrangler.json')
  mkdirSync(dir, { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, file)
  return file
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))
  const visitsMigrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations-visits'))
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: './edge/index.ts',
              wrangler: { configPath: wranglerConfigWithoutDevVars() },
              miniflare: {
                bindings: {
                  ...TEST_SECRETS,
                  TEST_MIGRATIONS: migrations,
                  TEST_VISITS_MIGRATIONS: visitsMigrations,
                  // `npm run bench` raises the load test's size (test/edge/load.test.ts).
                  LOAD_SCALE: process.env.LOAD_SCALE ?? '1',
                },
              },
            }),
          ],
          test: {
            name: 'edge',
            include: ['test/edge/**/*.test.ts'],
            setupFiles: ['./test/setup/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'node',
            include: ['test/node/**/*.test.ts'],
            environment: 'node',
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  }
})
