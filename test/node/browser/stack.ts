import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { launchBrowser } from './widget-harness'

/** `npm start` as a person runs it, on its own ports and state folder, with what it printed. */
export type Stack = {
  origin: string
  token: string
  demoUrl: string
  integrationUrl: string
  medodsOrigin: string
  stop: () => Promise<number | null>
}

export const RESULTS = path.join(import.meta.dirname, '../../../test-results')
mkdirSync(RESULTS, { recursive: true })

/** The browser and the `npm start` of one test file: started before its tests, stopped after (exit 0). */
export function useStack() {
  const running = {} as { browser: Browser; stack: Stack }
  beforeAll(async () => {
    ;[running.browser, running.stack] = await Promise.all([launchBrowser(), startStack()])
  }, 90_000)
  afterAll(async () => {
    await running.browser?.close()
    if (running.stack) expect(await running.stack.stop()).toBe(0)
  })
  return running
}

/** Reloads the integration page until none of its runs is open; answers the runs' statuses. */
export async function finishedRuns(page: Page, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const statuses = await page.locator('#runs tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.status))
    if (statuses.length > 0 && !statuses.some((s) => s === 'queued' || s === 'running')) return statuses
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await page.reload()
  }
  throw new Error('the import runs did not finish')
}

/** A full-page screenshot in `test-results/<name>.png`. */
export const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true })

export async function startStack(): Promise<Stack> {
  const port = 20000 + Math.floor(Math.random() * 10000)
  const stateDir = mkdtempSync(path.join(tmpdir(), 'bridge-browser-'))
  const child = spawn('node', ['scripts/start.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      MEDODS_SANDBOX_PORT: String(port + 1),
      STATE_DIR: stateDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = await new Promise<string>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`no Ready within 60 s:\n${text}`)), 60_000)
    const onData = (chunk: Buffer) => {
      text += chunk.toString()
      if (/Token:\s+\S+/.test(text)) {
        clearTimeout(timer)
        resolve(text)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${text}`)))
  })
  const printed = (label: string) => {
    const value = new RegExp(`${label}:\\s+(\\S+)`).exec(out)?.[1]
    if (!value) throw new Error(`npm start printed no "${label}":\n${out}`)
    return value
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    token: printed('Token'),
    demoUrl: printed('Demo site'),
    integrationUrl: printed('Integration'),
    medodsOrigin: `http://127.0.0.1:${port + 1}`,
    stop: () => stop(child, stateDir),
  }
}

function stop(child: ChildProcess, stateDir: string): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.on('exit', (code) => {
      rmSync(stateDir, { recursive: true, force: true })
      resolve(code)
    })
    child.kill('SIGINT')
  })
}

/** A person's browser: a normal Chrome user agent (the collector drops HeadlessChrome), Russian locale. */
export function personContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    locale: 'ru-RU',
    viewport: { width: 1280, height: 860 },
    permissions: ['local-network-access'],
  })
}

/** Signs in through the form and lands on `next` (the integrations, unless told), as sign-in promises. */
export async function signIn(context: BrowserContext, stack: Stack, next = '/app/integrations') {
  const page = await context.newPage()
  await page.goto(`${stack.origin}/app/sign-in?next=${encodeURIComponent(next)}`)
  await page.fill('#token', stack.token)
  await page.click('button[type=submit]')
  await page.waitForURL((url) => url.pathname.startsWith(next))
  return page
}

/** A cabinet token for another account, from the project's own `npm run token`. */
export const tokenFor = (accountId: string) =>
  execFileSync('node', ['scripts/token.mjs', accountId, '1h'], { encoding: 'utf8' }).trim()
