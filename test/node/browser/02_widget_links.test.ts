import { mkdirSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MEDODS,
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

const PHONE_HASH = 'p:22846ab8f79870871eb44f653419a4a5069301827d8ae75b6c2a88e4989a364e' // 79995551111
const EMAIL_HASH = 'e:bd93ea95f242f02313eccf0ab0bb7fe5121a052de42d2cb7bd332fb9f537cbfa' // mail@yandex.ru

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

const openDrawer = `<button id="open-drawer" onclick="
  const frame = document.createElement('iframe'); frame.src = '${MEDODS}/clinic/1/doctor/2';
  document.body.append(frame)">Drawer</button>
<a id="booking-link" href="${MEDODS}/" target="_blank">Book online</a>`

// The booking app talks to its parent page; a foreign widget sends a look-alike message.
const talkingFrame = (type: string) =>
  `<script>parent.postMessage({ type: '${type}', patient: { phone: '+7 999 555-11-11' } }, '*')</script>`

describe('widget: links to bookings and forms', () => {
  it('records booking_open for a link to online-*.medods.ru and for the drawer iframe, not for a bare button click', async () => {
    const { context, collector } = await openContext(browser, {
      '/': clinicPage(widgetTag(), openDrawer),
    })
    const page = await context.newPage()
    await page.goto(`${SITE}/`)
    await received(collector, 1)

    // The Medods button without a loader shows nothing: no opening.
    await page.click('.medods-record-btn')
    const popup = context.waitForEvent('page')
    await page.click('#booking-link')
    await (await popup).close()
    await received(collector, 2)
    await page.click('#open-drawer')
    await received(collector, 3)

    const opens = events(collector.received).filter((e) => e.t == 'booking_open')
    expect(opens.map((e) => e.n)).toEqual(['link', 'iframe'])
    await context.close()
  })

  it('sends nothing of what the booking iframe posts to the page', async () => {
    const pages = {
      '/': clinicPage(widgetTag(), openDrawer),
      medods: talkingFrame('booking_created'),
    }
    const { context, collector } = await openContext(browser, pages)
    const page = await context.newPage()
    await page.goto(`${SITE}/`)
    await received(collector, 1)
    await page.click('#open-drawer')
    await received(collector, 2)
    await sleep(700)

    expect(events(collector.received).map((e) => e.t)).toEqual(['pageview', 'booking_open'])
    for (const request of collector.requests) expect(request.postData()).not.toContain('555-11-11')
    await context.close()
  })

  it('puts the session id into forms and sends only hashes of the phone and email on submit', async () => {
    const { context, collector } = await openContext(browser)
    const page = await context.newPage()
    await page.goto(`${SITE}/`)
    const [view] = await received(collector, 1)
    expect(await page.inputValue('#callback input[name=mb_session_id]')).toBe(view!.s)

    await page.fill('input[name=phone]', '8 (999) 555-11-11')
    await page.fill('input[name=email]', ' Mail@Yandex.RU ')
    mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/widget-form.png' })
    await page.click('#callback button')
    await page.waitForURL(`${SITE}/thanks`)
    const submit = events(await received(collector, 3)).find((e) => e.t == 'form_submit')

    expect(submit).toMatchObject({ n: 'callback', h: [PHONE_HASH, EMAIL_HASH] })
    // The site's own form post carries the session id; the widget never cancelled it.
    expect(new URLSearchParams(collector.formPosts[0]).get('mb_session_id')).toBe(view!.s)
    for (const request of collector.requests) {
      const body = request.postData()!
      for (const raw of ['9995551111', '555-11-11', '(999)', 'mail@yandex.ru', 'Mail@Yandex']) {
        expect(body).not.toContain(raw)
      }
    }
    await context.close()
  })

  it('counts a double submit once', async () => {
    const ajaxForm = `<form id="ajax" onsubmit="event.preventDefault()"><input type="tel" name="tel" value="9995551111"></form>`
    const { context, collector } = await openContext(browser, {
      '/': clinicPage(widgetTag(), ajaxForm),
    })
    const page = await context.newPage()
    await page.goto(`${SITE}/`)
    await received(collector, 1)
    await page.evaluate(() => {
      const form = document.getElementById('ajax') as HTMLFormElement
      form.requestSubmit()
      form.requestSubmit()
    })
    await received(collector, 2)
    await sleep(300)
    const submits = events(collector.received).filter((e) => e.t == 'form_submit')
    expect(submits).toEqual([expect.objectContaining({ n: 'ajax', h: [PHONE_HASH] })])
    await context.close()
  })

  it('replays calls queued before the script loaded and answers the public API', async () => {
    const stub = `<script>
      window.mbridge = window.mbridge || function () { (mbridge.q = mbridge.q || []).push(arguments) }
      mbridge('track', 'price_list_download')
      mbridge('identify', { phone: '+7 999 555 11 11' })
    </script>`
    const { context, collector } = await openContext(browser, {
      '/': clinicPage(stub + widgetTag()),
    })
    const page = await context.newPage()
    await page.goto(`${SITE}/`)
    await widgetReady(page)
    await page.evaluate(() =>
      (window as unknown as { mbridge: { track(n: string): void } }).mbridge.track('cta')
    )
    const all = events(await received(collector, 4))
    const sessionId = await page.evaluate(() =>
      (window as unknown as { mbridge: { sessionId(): string } }).mbridge.sessionId()
    )

    expect(all.map((e) => e.t).sort()).toEqual(['custom', 'custom', 'identify', 'pageview'])
    expect(
      all
        .filter((e) => e.t == 'custom')
        .map((e) => e.n)
        .sort()
    ).toEqual(['cta', 'price_list_download'])
    expect(all.find((e) => e.t == 'identify')!.h).toEqual([PHONE_HASH])
    expect(collector.received.every((p) => p.s == sessionId)).toBe(true)
    // One global only.
    const globals = await page.evaluate(() =>
      Object.keys(window).filter((k) => /mb|bridge/i.test(k))
    )
    expect(globals).toEqual(['mbridge'])
    await context.close()
  })
})
