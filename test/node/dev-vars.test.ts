// The edge tests ignore a developer's .dev.vars: `npm start` writes one (DEMO_BOOKING_ORIGIN set), and
// `npm test` afterwards must still see only wrangler.toml's [vars] and vitest.config.ts's bindings.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { readDevVars } from '../../scripts/local-env.mjs'

const ROOT = path.resolve(import.meta.dirname, '../..')

describe('edge tests and .dev.vars', () => {
  it('pass with the .dev.vars `npm start` writes', async () => {
    // What `npm start` does first: .dev.vars from .dev.vars.example, kept if it exists. Left in place
    // (it is what npm start leaves), so the browser tests running beside this one see no change.
    expect(readDevVars().DEMO_BOOKING_ORIGIN).toMatch(/^http/)
    const { stdout } = await promisify(execFile)(
      'npx',
      ['vitest', 'run', '--project', 'edge', 'test/edge/pages.test.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: 'false',
          WRANGLER_HIDE_BANNER: 'true',
          CLOUDFLARE_CF_FETCH_ENABLED: 'false',
          NO_COLOR: '1',
        },
        timeout: 110_000,
      }
    )
    // pages.test.ts includes "serves no demo page unless DEMO_BOOKING_ORIGIN is set".
    expect(stdout).toMatch(/Tests\s+\d+ passed/)
    expect(stdout).not.toMatch(/failed/)
  }, 120_000)
})
