import path from 'node:path'
import type { BrowserContext } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { RESULTS, finishedRuns, personContext, useStack } from './stack'

const running = useStack()

/** Signs in through the form; a person lands on the overview. */
async function signInToOverview(context: BrowserContext) {
  const page = await context.newPage()
  await page.goto(`${running.stack.origin}/app/sign-in`)
  await page.fill('#token', running.stack.token)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/app\/overview$/)
  return page
}

describe('the overview page in a browser', () => {
  it('after a run, draws the bookings chart under the CSP, with the same numbers in its table', async () => {
    const context = await personContext(running.browser)
    const page = await signInToOverview(context)
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    expect(await page.getAttribute('header a[aria-current=page]', 'href')).toBe('/app/overview')
    expect(await page.textContent('#no-bookings')).toContain('Заявок с ')
    expect(
      await page.getAttribute(`#runs a[href="${new URL(running.stack.integrationUrl).pathname}"]`, 'href')
    ).not.toBeNull()

    // The demo clinic's sandbox holds a month of bookings and deals: import them.
    await page.goto(running.stack.integrationUrl)
    await page.check('#sendDeals')
    await page.click('text=Сохранить')
    await page.waitForURL(/\?saved=1/)
    await page.click('text=Запустить сейчас')
    await page.waitForURL(/#runs-block$/)
    expect(await finishedRuns(page)).not.toContain('failed')

    await page.click('header >> text=Обзор')
    await page.waitForURL(/\/app\/overview$/)
    const chart = page.locator('#bookings-chart > svg')
    await expect(chart.isVisible()).resolves.toBe(true)
    const box = await chart.boundingBox()
    expect(box!.width).toBeGreaterThan(600)
    expect(box!.height).toBeGreaterThan(100)

    // Each non-zero table cell is one bar segment with the same count, and the other way round.
    const segments = await page
      .locator('#bookings-chart rect[data-series]')
      .evaluateAll((rects) =>
        rects.map((r) => `${r.dataset.day} ${r.dataset.series} ${r.dataset.count}`)
      )
    const cells = await page
      .locator('#overview-days tbody td[data-series]')
      .evaluateAll((tds) =>
        tds
          .filter((td) => td.dataset.series !== 'total' && td.textContent !== '0')
          .map((td) => `${td.closest('tr')!.dataset.day} ${td.dataset.series} ${td.textContent}`)
      )
    expect(segments.length).toBeGreaterThan(0)
    expect(segments.sort()).toEqual(cells.sort())
    await expect(page.locator('#overview-days tbody tr').count()).resolves.toBe(30)
    const total = Number(await page.textContent('#overview-days tfoot [data-series=total]'))
    expect(total).toBe(segments.reduce((sum, s) => sum + Number(s.split(' ')[2]), 0))
    expect(await page.textContent('#share')).toMatch(new RegExp(`из ${total} заявок`))
    await expect(page.locator('#top-campaigns-bookings tbody tr').count()).resolves.toBeGreaterThan(
      0
    )
    expect(await page.textContent('#runs [data-status]')).toContain('выполнен')
    expect(violations).toEqual([])
    await page.screenshot({ path: path.join(RESULTS, 'overview.png'), fullPage: true })
    await context.close()
  }, 60_000)
})
