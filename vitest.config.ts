import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

/** Fixed test secrets: tests sign tokens and check ciphertexts with them. */
export const TEST_SECRETS = {
  CABINET_JWT_SECRET: 'test-cabinet-jwt-secret-0123456789abcdef',
  SECRETS_KEY: 'dGVzdC1hZXMta2V5LTMyLWJ5dGVzLWxvbmctMDEyMzQ=',
  CONTACT_HASH_KEY: 'test-contact-hash-pepper',
  MEDODS_ALLOW_LOCAL: '1',
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: './edge/index.ts',
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  ...TEST_SECRETS,
                  // Over what a developer's .dev.vars (made by `npm start` or a bench) would set.
                  DEMO_BOOKING_ORIGIN: '',
                  TEST_MIGRATIONS: migrations,
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
