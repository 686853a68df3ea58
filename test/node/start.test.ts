import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const PORT = 18787 + Math.floor(Math.random() * 1000)
const ORIGIN = `http://127.0.0.1:${PORT}`
const stateDir = mkdtempSync(path.join(tmpdir(), 'bridge-start-'))

/** Starts `npm start` as a person would, and resolves with the printed token once it says Ready. */
function start(): Promise<{ child: ChildProcess; token: string }> {
  const child = spawn('node', ['scripts/start.mjs'], {
    env: { ...process.env, PORT: String(PORT), STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Ready within 50 s:\n${out}`)), 50_000)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const token = /Token:\s+(\S+)/.exec(out)?.[1]
      if (token) {
        clearTimeout(timer)
        resolve({ child, token })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)))
  })
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.on('exit', (code) => resolve(code))
    child.kill('SIGINT')
  })
}

afterAll(() => rmSync(stateDir, { recursive: true, force: true }))

describe('npm start', () => {
  it('serves /health and the seeded demo site, stops on Ctrl-C, and re-seeds idempotently', async () => {
    for (let round = 0; round < 2; round++) {
      const { child, token } = await start()
      try {
        expect((await fetch(`${ORIGIN}/health`)).status).toBe(200)
        const res = await fetch(`${ORIGIN}/api/v1/sites`, { headers: { authorization: `Bearer ${token}` } })
        const page = (await res.json()) as { data: { siteKey: string }[] }
        expect(page.data.map((s) => s.siteKey)).toEqual(['demo-site-key'])
      } finally {
        expect(await stop(child)).toBe(0)
      }
      await expect(fetch(`${ORIGIN}/health`)).rejects.toThrow()
    }
  })
})
