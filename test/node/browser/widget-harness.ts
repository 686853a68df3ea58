import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
  type Request,
} from 'playwright-core'
import type { WirePayload } from '../../../widget/src/wire'

/** The clinic's site and the Worker are made-up https origins served by `route`: no server needed. */
export const SITE = 'https://www.clinic.ru'
export const WORKER = 'https://t.bridge.test'
export const MEDODS = 'https://online-demo.medods.ru'
export const SITE_KEY = 'demo-site-key'
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export const WIDGET_JS = readFileSync(path.join(import.meta.dirname, '../../../dist/widget.js'), 'utf8')

export const widgetTag = (attributes = 'data-allow-bots') =>
  `<script async src="${WORKER}/w.js" data-site="${SITE_KEY}" ${attributes}></script>`

/** A clinic page: a booking button, a link inside the site, a contact form. */
export const clinicPage = (head = widgetTag(), body = '') => `<!doctype html>
<html><head><meta charset="utf-8">${head}</head><body>
<h1>Clinic</h1>
<a id="prices" href="/prices">Prices</a>
<button class="medods-record-btn">Записаться онлайн</button>
<form id="callback" action="/thanks" method="post">
  <input name="name" value="Anna"><input type="tel" name="phone"><input type="email" name="email">
  <button type="submit">Call me back</button>
</form>
${body}
</body></html>`

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export type Collector = {
  /** Every POST /c that reached the collector while it was up, parsed. */
  received: WirePayload[]
  /** Every POST /c the page made, including failed ones, as raw requests. */
  requests: Request[]
  /** Form posts the site itself received. */
  formPosts: string[]
  /** 'up' answers 202; 'down' aborts the connection; 'error' answers 503. */
  mode: 'up' | 'down' | 'error'
}

/** A fresh context whose pages reach the clinic site, the widget and the collector through routes. */
export async function openContext(
  browser: Browser,
  pages: Record<string, string> = {}
): Promise<{ context: BrowserContext; collector: Collector }> {
  const context = await browser.newContext()
  const collector: Collector = { received: [], requests: [], formPosts: [], mode: 'up' }
  await context.route(`${SITE}/**`, async (route) => {
    const request = route.request()
    if (request.method() == 'POST') collector.formPosts.push(request.postData() ?? '')
    const { pathname } = new URL(request.url())
    await route.fulfill({ contentType: 'text/html', body: pages[pathname] ?? clinicPage() })
  })
  await context.route(`${WORKER}/w.js`, (route) =>
    route.fulfill({ contentType: 'application/javascript', body: WIDGET_JS })
  )
  await context.route(`${WORKER}/c`, async (route) => {
    collector.requests.push(route.request())
    if (collector.mode == 'down') return route.abort('connectionrefused')
    if (collector.mode == 'error')
      return route.fulfill({ status: 503, headers: { 'access-control-allow-origin': '*' } })
    collector.received.push(JSON.parse(route.request().postData() ?? 'null'))
    await route.fulfill({ status: 202, headers: { 'access-control-allow-origin': '*' }, body: '' })
  })
  await context.route(`${MEDODS}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: pages['medods'] ?? '<p>Medods online booking</p>',
    })
  )
  return { context, collector }
}

/** Waits until the collector has received `count` payloads, and returns them. */
export async function received(collector: Collector, count: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  while (collector.received.length < count && Date.now() < deadline) await sleep(25)
  if (collector.received.length < count) {
    throw new Error(
      `expected ${count} payloads, got ${JSON.stringify(collector.received, null, 1)}`
    )
  }
  return collector.received
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const events = (payloads: WirePayload[]) => payloads.flatMap((p) => p.e)

export async function widgetReady(page: Page) {
  await page.waitForFunction(
    () => typeof (window as unknown as { mbridge?: unknown }).mbridge == 'function'
  )
}
