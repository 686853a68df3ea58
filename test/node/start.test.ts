import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SignJWT } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'

const PORT = 18787 + Math.floor(Math.random() * 1000)
const ORIGIN = `http://127.0.0.1:${PORT}`
const MEDODS_PORT = PORT + 1000
const stateDir = mkdtempSync(path.join(tmpdir(), 'bridge-start-'))

/** Starts `npm start` as a person would, and resolves with the printed token once it says Ready. */
function start(): Promise<{ child: ChildProcess; token: string; out: string }> {
  const child = spawn('node', ['scripts/start.mjs'], {
    env: { ...process.env, PORT: String(PORT), STATE_DIR: stateDir, MEDODS_SANDBOX_PORT: String(MEDODS_PORT) },
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
        resolve({ child, token, out })
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

/** A Medods token from the printed demo key, minted by the documented recipe (HS512, SecretKey as text). */
function medodsToken(identity: string, secretKey: string) {
  const iat = Math.floor(Date.now() / 1000) - 5
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
    .setIssuer(identity)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(new TextEncoder().encode(secretKey))
}

describe('npm start with the Medods sandbox', () => {
  it('prints the sandbox, its booking page and demo key, answers an authenticated /clinics, stops on Ctrl-C', async () => {
    const { child, out } = await start()
    const medodsUrl = `http://127.0.0.1:${MEDODS_PORT}/`
    try {
      expect(out).toContain(`Medods sandbox: ${medodsUrl}`)
      expect(out).toContain(`Booking page:   ${medodsUrl}online/`)
      const identity = /Identity (\S+)/.exec(out)?.[1] ?? ''
      const secretKey = /SecretKey (\S+)/.exec(out)?.[1] ?? ''
      const authorization = `Bearer ${await medodsToken(identity, secretKey)}`
      const res = await fetch(`${medodsUrl}api/v2/clinics`, { headers: { authorization } })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { data: { id: number; title: string }[]; totalItems: number }
      expect(body.totalItems).toBeGreaterThan(0)
      expect((await fetch(`${medodsUrl}api/v2/clinics`)).status).toBe(401)
      expect((await fetch(`${medodsUrl}online/`)).status).toBe(200)
    } finally {
      expect(await stop(child)).toBe(0)
    }
    await expect(fetch(`${medodsUrl}online/`)).rejects.toThrow()
  })
})
