import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WirePayload } from '../../../widget/src/wire'
import {
  SITE,
  clinicPage,
  events,
  launchBrowser,
  openContext,
  received,
  sleep,
  widgetReady,
  widgetTag,
} from './widget-harness'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

// The host's own scripts: one throws at load, one counts clicks (proof the page still works).
const hostScripts = `<script>window.undefinedFunction()</script>
<button id="counter" onclick="this.textContent = String(Number(this.textContent) + 1)">0</button>`

function watchErrors(page: Page) {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  return errors
}

describe('widget: a guest that never breaks the host page', () => {
  it('works on a page whose scripts throw and which has no localStorage', async () => {
    const { context, collector } = await openContext(browser, {
      '/': clinicPage(widgetTag(), hostScripts),
    })
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('storage is disabled', 'SecurityError')
        },
      })
    })
    const page = await context.newPage()
    const errors = watchErrors(page)
    await page.goto(`${SITE}/?utm_source=yandex&utm_medium=cpc`)
    const [view] = await received(collector, 1)
    await widgetReady(page)
    await page.click('#counter')
    await page.evaluate(() => history.pushState({}, '', '/next'))
    const [, next] = await received(collector, 2)

    expect(await page.textContent('#counter')).toBe('1')
    expect(errors).toEqual([expect.stringContaining('undefinedFunction')])
    expect(view!.c).toMatchObject({ t: 'utm', s: 'yandex' })
    // Without localStorage the cookie and memory carry the visit.
    expect(next).toMatchObject({ v: view!.v, s: view!.s })
    expect(await page.inputValue('input[name=mb_session_id]')).toBe(view!.s)
    await context.close()
  })

  it('keeps the host page working while the collector is down', async () => {
    const { context, collector } = await openContext(browser, {
      '/': clinicPage(widgetTag(), hostScripts.slice(hostScripts.indexOf('<button'))),
    })
    collector.mode = 'down'
    const page = await context.newPage()
    const errors = watchErrors(page)
    const rejections: string[] = []
    await page.exposeFunction('reportRejection', (reason: string) => rejections.push(reason))
    await page.addInitScript(() =>
      addEventListener('unhandledrejection', (e) =>
        (window as unknown as { reportRejection(r: string): void }).reportRejection(
          String(e.reason)
        )
      )
    )
    await page.goto(`${SITE}/`)
    await widgetReady(page)
    await page.click('.medods-record-btn')
    await page.click('#counter')
    await page.fill('input[name=phone]', '+7 999 555 11 11')
    await page.click('#callback button')
    await page.waitForURL(`${SITE}/thanks`)
    await sleep(300)

    expect(collector.requests.length).toBeGreaterThanOrEqual(3)
    expect(collector.received).toHaveLength(0)
    expect(errors).toEqual([])
    expect(rejections).toEqual([])
    await context.close()
  })

  it('retries a failed send later with the same event id', async () => {
    const { context, collector } = await openContext(browser)
    collector.mode = 'error'
    const page = await context.newPage()
    await page.goto(`${SITE}/landing?utm_source=yandex&utm_medium=cpc`)
    await widgetReady(page)
    await expect.poll(() => page.evaluate(() => localStorage.getItem('_mbq'))).toContain('pageview')
    const failed = JSON.parse(collector.requests[0]!.postData()!) as WirePayload

    collector.mode = 'up'
    await page.evaluate(() => history.pushState({}, '', '/prices'))
    const payloads = await received(collector, 2)

    // The same payload, stamped with the moment it was sent again (its event keeps its own time).
    const retried = payloads.find((p) => p.e[0]!.i == failed.e[0]!.i)!
    expect({ ...retried, w: 0 }).toEqual({ ...failed, w: 0 })
    expect(retried.w).toBeGreaterThan(failed.w)
    expect(retried.e[0]!.a).toBe(failed.e[0]!.a)
    expect(events(payloads).map((e) => e.t)).toEqual(
      expect.arrayContaining(['pageview', 'pageview'])
    )
    expect(await page.evaluate(() => localStorage.getItem('_mbq'))).toBe('[]')
    await context.close()
  })
})
