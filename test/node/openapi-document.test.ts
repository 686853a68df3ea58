import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The document as the Worker serves it under `wrangler dev`, checked against the OpenAPI 3.1 schema
// by a real validator (it reads its schemas from disk, so it runs in Node, not in workerd).

const ROOT = path.join(import.meta.dirname, '../..')
const WRANGLER = path.join(ROOT, 'node_modules/.bin/wrangler')
const PORT = 19787 + Math.floor(Math.random() * 1000)
const ORIGIN = `http://127.0.0.1:${PORT}`
const stateDir = mkdtempSync(path.join(tmpdir(), 'bridge-openapi-'))
let worker: ChildProcess | undefined
let log = ''

async function waitForDocument(timeoutMs = 40_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      return await fetch(`${ORIGIN}/openapi.json`)
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  throw new Error(`wrangler dev did not answer within ${timeoutMs / 1000} s:\n${log}`)
}

beforeAll(() => {
  // The Worker imports the widget bundle the build generates (git-ignored).
  if (!existsSync(path.join(ROOT, 'edge/collect/widget-bundle.generated.ts'))) {
    execFileSync(process.execPath, ['widget/build.mjs'], { cwd: ROOT })
  }
  // The committed example secrets, so no .dev.vars is needed; its own state, not the developer's.
  const args = ['dev', '--port', String(PORT), '--ip', '127.0.0.1', '--persist-to', stateDir]
  worker = spawn(WRANGLER, [...args, '--env-file', '.dev.vars.example'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      NO_COLOR: '1',
    },
  })
  worker.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  worker.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
})

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve))
    worker.kill('SIGINT')
    await exited
  }
  rmSync(stateDir, { recursive: true, force: true })
})

describe('GET /openapi.json under wrangler dev', () => {
  it('is a valid OpenAPI 3.1 document whose every reference resolves', async () => {
    const res = await waitForDocument()
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const document = (await res.json()) as Record<string, any>

    const validator = new Validator()
    const result = await validator.validate(document)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    expect(document.servers).toEqual([expect.objectContaining({ url: ORIGIN })])
  })

  it('the validator refuses a dangling reference and a response without description', async () => {
    const document = (await (await waitForDocument()).json()) as Record<string, any>
    const dangling = structuredClone(document)
    dangling.paths['/api/v1/sites'].get.responses['400'].content['application/json'].schema = {
      $ref: '#/components/schemas/Nowhere',
    }
    expect((await new Validator().validate(dangling)).valid).toBe(false)
    const undescribed = structuredClone(document)
    delete undescribed.paths['/health'].get.responses['200'].description
    expect((await new Validator().validate(undescribed)).valid).toBe(false)
  })
})
