import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  SITE,
  SITE_KEY,
  UUID,
  clinicPage,
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

describe('widget: attribution in the browser', () => {
  it('a UTM landing sends one text/plain pageview with the campaign as first and current touch', async () => {
    const { context, collector } = await openContext(browser)
    const page = await context.newPage()
    const landing = `${SITE}/implants?utm_source=yandex&utm_medium=cpc&utm_campaign=%D0%B8%D0%BC%D0%BF%D0%BB%D0%B0%D0%BD%D1%82%D1%8B&yclid=777`
    await page.goto(landing, { referer: 'https://yandex.ru/' })
    const [payload] = await received(collector, 1)

    const request = collector.requests[0]!
    expect(request.method()).toBe('POST')
    expect(request.headers()['content-type']).toMatch(/^text\/plain/)
    expect(payload).toMatchObject({ k: SITE_KEY, u: landing, e: [{ t: 'pageview' }] })
    expect(payload!.v).toMatch(UUID)
    expect(payload!.s).toMatch(UUID)
    expect(payload!.e[0]!.i).toMatch(UUID)
    const touch = {
      t: 'utm',
      s: 'yandex',
      m: 'cpc',
      c: 'импланты',
      k: { yclid: '777' },
      l: landing,
      r: 'https://yandex.ru/',
    }
    expect(payload!.f).toMatchObject(touch)
    expect(payload!.c).toEqual(payload!.f)

    // The ids live in a cookie on the registrable domain, mirrored to localStorage.
    const cookie = (await context.cookies()).find((c) => c.name == '_mb')!
    expect(cookie).toMatchObject({ domain: '.clinic.ru', secure: true, sameSite: 'Lax' })
    expect(cookie.value.split('.').slice(0, 2)).toEqual([payload!.v, payload!.s])
    const stored = JSON.parse((await page.evaluate(() => localStorage.getItem('_mb')))!)
    expect(stored).toMatchObject({ v: payload!.v, s: payload!.s })
    await context.close()
  })

  it('an organic referrer (origin only) is recognised; an internal navigation keeps the session', async () => {
    const { context, collector } = await openContext(browser)
    const page = await context.newPage()
    await page.goto(`${SITE}/`, { referer: 'https://www.google.ru/' })
    const [landing] = await received(collector, 1)
    expect(landing!.c).toMatchObject({ t: 'organic', s: 'google', m: 'organic' })

    await page.click('#prices')
    await page.waitForURL(`${SITE}/prices`)
    const [, next] = await received(collector, 2)
    expect(next).toMatchObject({ v: landing!.v, s: landing!.s, u: `${SITE}/prices` })
    expect(next!.c).toEqual(landing!.c)
    await context.close()
  })

  it('follows SPA navigation: pushState and popstate each send a pageview in the same session', async () => {
    const { context, collector } = await openContext(browser)
    const page = await context.newPage()
    await page.goto(`${SITE}/?utm_source=vk&utm_medium=social`)
    await received(collector, 1)
    await widgetReady(page)

    await page.evaluate(() => history.pushState({}, '', '/doctors'))
    await page.evaluate(() => history.pushState({}, '', '/doctors')) // same path: no view
    await page.evaluate(() => history.pushState({}, '', '/doctors/ivanov'))
    await received(collector, 3)
    await page.evaluate(() => history.back())
    const views = await received(collector, 4)
    await sleep(200)
    expect(collector.received).toHaveLength(4)
    expect(views.map((p) => new URL(p.u).pathname)).toEqual([
      '/',
      '/doctors',
      '/doctors/ivanov',
      '/doctors',
    ])
    expect(new Set(views.map((p) => p.s)).size).toBe(1)
    expect(views.every((p) => p.c.t == 'utm' && p.c.s == 'vk')).toBe(true)
    await context.close()
  })

  it('starts a new session after 30 idle minutes, keeping the visitor and the last non-direct touch', async () => {
    const { context, collector } = await openContext(browser)
    const page = await context.newPage()
    await page.clock.install({ time: new Date('2026-03-02T10:00:00Z') })
    await page.goto(`${SITE}/?utm_source=yandex&utm_medium=cpc`)
    const [first] = await received(collector, 1)
    await widgetReady(page)

    await page.clock.fastForward('29:00')
    await page.evaluate(() => history.pushState({}, '', '/a'))
    const [, within] = await received(collector, 2)
    await page.clock.fastForward('31:00')
    await page.evaluate(() => history.pushState({}, '', '/b'))
    const [, , after] = await received(collector, 3)

    expect(within!.s).toBe(first!.s)
    expect(after!.s).not.toBe(first!.s)
    expect(after!.s).toMatch(UUID)
    expect(after!.v).toBe(first!.v)
    expect(after!.b).toBeGreaterThan(first!.b + 60 * 60_000 - 1)
    expect(after!.c).toEqual(first!.c)
    await context.close()
  })

  it('skips automated browsers unless the tag allows them', async () => {
    const { context, collector } = await openContext(browser, { '/': clinicPage(widgetTag('')) })
    const page = await context.newPage()
    await page.goto(`${SITE}/`)
    await page.waitForLoadState('networkidle')
    await sleep(300)
    expect(collector.requests).toHaveLength(0)
    expect(await page.evaluate(() => 'mbridge' in window)).toBe(false)
    await context.close()
  })
})
