import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WireEvent, WirePayload } from '../../../widget/src/wire'
import {
  MEDODS,
  SITE,
  clinicPage,
  events,
  launchBrowser,
  openContext,
  received,
  sleep,
  WIDGET_JS,
  type Collector,
} from './widget-harness'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

/**
 * A Medods-like loader: the booking iframe is in the page from the start, hidden (`hide` says how), and
 * a button slides or shows it into view; the close button hides it again, or removes it.
 */
const loader = (hide: string, show: string, onClose: 'hide' | 'remove' = 'hide') => `
<style>
  #drawer { position: fixed; top: 0; right: 0; width: 400px; height: 100%; transition: transform .2s, opacity .2s; }
  #drawer.hidden { ${hide} }
  #drawer.shown { ${show} }
  #drawer iframe { width: 100%; height: 90%; border: 0; }
</style>
<div id="drawer" class="hidden"><iframe src="${MEDODS}/clinic/1"></iframe><button id="close">×</button></div>
<button id="book">Записаться</button>
<script>
  const drawer = document.getElementById('drawer')
  document.getElementById('book').onclick = () => (drawer.className = 'shown')
  document.getElementById('close').onclick = () =>
    ${onClose === 'remove' ? "drawer.querySelector('iframe').remove()" : "(drawer.className = 'hidden')"}
</script>`

const VARIANTS = {
  'off-screen by transform': ['transform: translateX(100%);', 'transform: none;'],
  'visibility: hidden': ['visibility: hidden;', 'visibility: visible;'],
  'display: none': ['display: none;', 'display: block;'],
  'opacity 0': ['opacity: 0;', 'opacity: 1;'],
} as const

const bookingEvents = (collector: Collector) =>
  events(collector.received).filter((e) => e.t.startsWith('booking_'))

async function until(collector: Collector, check: (e: WireEvent[]) => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  while (!check(bookingEvents(collector)) && Date.now() < deadline) await sleep(50)
  return bookingEvents(collector)
}

async function openPage(body: string) {
  const { context, collector } = await openContext(browser, { '/': clinicPage(undefined, body) })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${SITE}/`)
  await received(collector, 1)
  return { context, collector, page, errors }
}

const focusFrame = (page: Page) => page.evaluate(() => document.querySelector('iframe')!.focus())

describe('widget: the booking drawer as an interval', () => {
  for (const [name, [hide, show]] of Object.entries(VARIANTS)) {
    it(`preloaded hidden (${name}): no opening until shown; open, focus and close with its duration`, async () => {
      const { context, collector, page, errors } = await openPage(loader(hide, show))
      await sleep(1200) // several polls while the preloaded iframe stays hidden
      expect(bookingEvents(collector)).toEqual([])

      await page.click('#book')
      const [open] = await until(collector, (e) => e.length >= 1)
      expect(open).toMatchObject({ t: 'booking_open', n: 'iframe' })
      await focusFrame(page)
      await until(collector, (e) => e.length >= 2)
      await sleep(600)
      await page.click('#close')
      const all = await until(collector, (e) => e.length >= 3)

      expect(all.map((e) => e.t)).toEqual(['booking_open', 'booking_focus', 'booking_close'])
      expect(all[1]!.o).toBe(open!.i)
      expect(all[2]).toMatchObject({ o: open!.i })
      expect(all[2]!.n).toBeUndefined()
      expect(all[2]!.d).toBeGreaterThan(500)
      expect(all[2]!.d).toBeLessThan(10_000)
      for (const payload of collector.received) expect(payload.w).toBeTypeOf('number')
      expect(errors).toEqual([])
      await context.close()
    })
  }

  it('closes a drawer whose iframe is removed, and counts focus once', async () => {
    const { context, collector, page } = await openPage(loader(...VARIANTS['display: none'], 'remove'))
    await page.click('#book')
    await until(collector, (e) => e.length >= 1)
    await focusFrame(page)
    await page.evaluate(() => (document.activeElement as HTMLElement).blur())
    await focusFrame(page)
    await sleep(700)
    await page.click('#close')
    const all = await until(collector, (e) => e.some((x) => x.t == 'booking_close'))
    expect(all.map((e) => e.t)).toEqual(['booking_open', 'booking_focus', 'booking_close'])
    await context.close()
  })

  it('sends the close when the page is left with the drawer open, and it arrives after the unload', async () => {
    // Playwright's routes do not see a request an unloading page makes, so this page, the widget and the
    // collector are a real local server: what arrives there is what survived the unload (keepalive).
    const bodies: WirePayload[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        if (req.url == '/c') bodies.push(JSON.parse(body))
        const js = req.url == '/w.js'
        res.writeHead(req.url == '/c' ? 204 : 200, {
          'content-type': js ? 'application/javascript' : 'text/html',
          'access-control-allow-origin': '*',
        })
        res.end(req.url == '/c' ? undefined : js ? WIDGET_JS : page)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const page = clinicPage(
      `<script async src="${origin}/w.js" data-site="k" data-allow-bots data-booking-origin="${origin}"></script>`,
      loader(...VARIANTS['off-screen by transform']).replace(MEDODS + '/clinic/1', `${origin}/online/`)
    )
    const context = await browser.newContext()
    const tab = await context.newPage()
    await tab.goto(`${origin}/`)
    await tab.click('#book')
    const drawerEvents = () => bodies.flatMap((b) => b.e).filter((e) => e.t.startsWith('booking_'))
    while (drawerEvents().length < 1) await sleep(50)
    const open = drawerEvents()[0]!
    await sleep(300)
    await tab.close({ runBeforeUnload: true })
    const deadline = Date.now() + 5000
    while (!drawerEvents().some((e) => e.t == 'booking_close') && Date.now() < deadline) await sleep(50)
    expect(drawerEvents().find((e) => e.t == 'booking_close')).toMatchObject({ o: open.i, n: 'unload' })
    await context.close()
    server.close()
  })

  it('counts an iframe shown at once (created on click) and never sends a raw contact', async () => {
    const body = `<button id="book" onclick="
      const f = document.createElement('iframe'); f.src = '${MEDODS}/'; document.body.append(f)">Book</button>`
    const { context, collector, page } = await openPage(body)
    await page.fill('input[name=phone]', '+7 999 555-11-11')
    await page.click('#book')
    await until(collector, (e) => e.length >= 1)
    for (const request of collector.requests) expect(request.postData()).not.toContain('555-11-11')
    await context.close()
  })

  it('times a link followed to a new tab until the visitor comes back', async () => {
    const body = `<a id="link" href="${MEDODS}/" target="_blank">Book</a>`
    const { context, collector, page } = await openPage(body)
    await page.click('#link')
    const [open] = await until(collector, (e) => e.length >= 1)
    expect(open).toMatchObject({ t: 'booking_open', n: 'link' })
    // Headless tabs are all "visible": the visibility a real browser gives is simulated.
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { value: h, configurable: true })
        document.dispatchEvent(new Event('visibilitychange', { bubbles: true }))
      }, hidden)
    await setHidden(true)
    await sleep(400)
    await setHidden(false)
    const all = await until(collector, (e) => e.length >= 2)
    expect(all[1]).toMatchObject({ t: 'booking_close', o: open!.i })
    expect(all[1]!.n).toBeUndefined()
    expect(all[1]!.d).toBeGreaterThanOrEqual(400)
    await context.close()
  })
})
