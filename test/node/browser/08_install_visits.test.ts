import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { personContext, tokenFor, shot, useStack } from './stack'
import { sleep } from './widget-harness'

const running = useStack()


/** Signs in with a token; where sign-in lands does not matter here. */
async function signIn(context: BrowserContext, token: string) {
  const page = await context.newPage()
  await page.goto(`${running.stack.origin}/app/sign-in`)
  await page.fill('#token', token)
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/app/sign-in'),
    page.click('button[type=submit]'),
  ])
  return page
}

/** Reloads the page until its widget state is `state` (the ingest queue writes within seconds). */
async function waitForState(page: Page, state: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while ((await page.getAttribute('#site-state', 'data-state')) !== state) {
    if (Date.now() > deadline) throw new Error(`the site never became "${state}"`)
    await sleep(500)
    await page.reload()
  }
}

/** A text of the page after a reload. */
async function reloaded(page: Page, selector: string) {
  await page.reload()
  return page.textContent(selector)
}

describe('Установка and Визиты in a browser', () => {
  it('the demo site waits for its first visit, works once the demo page is opened, and lists the visit', async () => {
    const context = await personContext(running.browser)
    const cabinet = await signIn(context, running.stack.token)
    await cabinet.goto(`${running.stack.origin}/app/sites`)
    // scripts/seed.sql gives the demo account one site and no visits; the state folder is fresh.
    const row = cabinet.locator('#sites tbody tr', { hasText: '127.0.0.1' })
    expect(await row.locator('.state').textContent()).toBe('ждём первого визита')
    await row.locator('a').click()
    await cabinet.waitForURL(/\/app\/sites\/[^/?]+$/)
    const installUrl = cabinet.url()
    expect(await cabinet.textContent('#site-state')).toBe('Виджет на сайте: ждём первого визита')
    expect(await cabinet.textContent('#install-script')).toBe(
      `<script async src="${running.stack.origin}/w.js" data-site="demo-site-key"></script>`
    )

    const site = await context.newPage()
    const collect = `${running.stack.origin}/c`
    const sent = site.waitForRequest((r) => r.url() === collect && r.method() === 'POST')
    await site.goto(running.stack.demoUrl)
    await (await sent).response()
    // The booking button opens the booking widget's drawer, which the widget reports at once.
    const opened = site.waitForRequest(
      (r) => r.url() === collect && (r.postData() ?? '').includes('"booking_open"')
    )
    await site.click('.medods-record-btn')
    await (await opened).response()

    await waitForState(cabinet, 'working')
    await expect.poll(() => reloaded(cabinet, '#openings-24h'), { timeout: 10_000 }).toBe('1')
    expect(await cabinet.textContent('#site-state')).toBe('Виджет на сайте: работает')
    expect(await cabinet.textContent('#last-hit')).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/)
    expect(await cabinet.textContent('#visits-24h')).toBe('1')
    await shot(cabinet, 'install')

    await cabinet.click('text=Сырые данные → Визиты')
    const visits = cabinet.locator('#visits tbody tr')
    await expect(visits.count()).resolves.toBe(1)
    const cells = await visits.first().locator('td').allTextContents()
    expect(cells[1]).toBe('Демо-клиника')
    expect(cells[2]).toBe('yandex / cpc / demo')
    expect(cells[3]).toContain(`${running.stack.origin}/demo`)
    expect(cells.slice(4)).toEqual(['1', '1', 'нет'])
    await shot(cabinet, 'visits')

    await cabinet.goto(`${running.stack.origin}/app/visits?source=google`)
    expect(await cabinet.textContent('main')).toContain('Визитов с такими условиями нет')
    await context.close()

    // Another account sees neither the site nor its visit.
    const other = await personContext(running.browser)
    const stranger = await signIn(other, tokenFor('other-clinic'))
    expect((await stranger.goto(installUrl))?.status()).toBe(404)
    await stranger.goto(`${running.stack.origin}/app/visits`)
    expect(await stranger.locator('#visits').count()).toBe(0)
    expect(await stranger.textContent('main')).toContain('Визитов пока нет')
    await other.close()
  }, 90_000)
})
