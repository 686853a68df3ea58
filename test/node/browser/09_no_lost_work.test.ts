import type { Page } from 'playwright-core'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { personContext, signIn, shot, useStack } from './stack'

// Issue 17, items 5 and 7: what a person types survives a running import and a refused field; after
// signing out, Back shows no data and the old cookie opens nothing.

const running = useStack()

const statuses = (page: Page) =>
  page.locator('#runs tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))

describe('no lost work', () => {
  it('keeps what is typed while an import runs: only the runs block updates, and it stops when done', async () => {
    const context = await personContext(running.browser)
    const page = await signIn(context, running.stack, new URL(running.stack.integrationUrl).pathname)
    await page.click('text=Запустить сейчас')
    await page.waitForURL(/#runs-block$/)
    expect(await page.getAttribute('#runs-block', 'data-running')).toBe('true')
    await page.evaluate(() => ((window as unknown as { untouched: boolean }).untouched = true))
    await page.fill('#identity', 'typed-while-importing')
    await page.fill('#secretKey', 'half-typed-key')

    await expect
      .poll(async () => (await statuses(page)).every((s) => s === 'succeeded' || s === 'failed'), { timeout: 60_000 })
      .toBe(true)
    expect(await page.getAttribute('#runs-block', 'data-running')).toBe('false')
    expect(await page.inputValue('#identity')).toBe('typed-while-importing')
    expect(await page.inputValue('#secretKey')).toBe('half-typed-key')
    expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true)
    expect(await statuses(page)).toContain('succeeded')
    await shot(page, 'runs-updated-in-place')
    await context.close()
  }, 90_000)

  it('a too-long field is said next to it, and everything typed stays, the SecretKey too', async () => {
    const context = await personContext(running.browser)
    const page = await signIn(context, running.stack, new URL(running.stack.integrationUrl).pathname)
    const uid = await page.inputValue('#uid')
    await page.fill('#identity', 'x'.repeat(250))
    await page.fill('#secretKey', 'a-new-key-being-typed')
    await page.click('text=Сохранить')
    expect(await page.textContent('#identity-error')).toContain('Слишком длинный Identity')
    expect(await page.inputValue('#identity')).toBe('x'.repeat(250))
    expect(await page.inputValue('#secretKey')).toBe('a-new-key-being-typed')
    expect(await page.inputValue('#uid')).toBe(uid)
    await shot(page, 'settings-too-long')
    await context.close()
  })
})

describe('the requests list', () => {
  it('filters by match method and exports what it shows as a CSV Excel opens', async () => {
    const context = await personContext(running.browser)
    const page = await signIn(context, running.stack, '/app/requests')
    await page.selectOption('#matchMethod', 'default')
    await page.click('form.filters button[type=submit]')
    await page.waitForURL(/matchMethod=default/)
    const methods = await page.locator('#requests tbody tr .match').allTextContents()
    expect(methods.length).toBeGreaterThan(0)
    expect(methods.every((m) => m.startsWith('по умолчанию'))).toBe(true)
    expect(await page.getAttribute('[data-total]', 'data-total')).toBe(String(methods.length))
    await shot(page, 'requests-filtered')

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')])
    const bytes = await readFile((await download.path())!)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n')
    expect(lines[0]).toMatch(/^"Создана \(МСК\)";"Имя";"Телефон"/)
    expect(lines.slice(1).map((line) => line.split('";"')[5])).toEqual(methods.map(() => 'по умолчанию'))
    await context.close()
  })
})

describe('signing out', () => {
  it('leaves nothing behind Back, and the old cookie is refused', async () => {
    const context = await personContext(running.browser)
    const page = await signIn(context, running.stack, '/app/requests')
    const names = await page.locator('#requests tbody tr td:nth-child(2) div:first-child').allTextContents()
    expect(names.length).toBeGreaterThan(0)
    const cookie = (await context.cookies()).find((c) => c.name === 'mb_session')!

    await page.click('text=Выйти')
    await page.waitForURL(/\/app\/sign-in/)
    await page.goBack()
    await page.waitForLoadState()
    const text = (await page.textContent('body')) ?? ''
    for (const name of names.filter((n) => n !== '—')) expect(text).not.toContain(name)
    expect(new URL(page.url()).pathname).toBe('/app/sign-in')

    await context.addCookies([cookie])
    await page.goto(`${running.stack.origin}/app/requests`)
    expect(new URL(page.url()).pathname).toBe('/app/sign-in')
    await shot(page, 'signed-out-back')
    await context.close()
  })
})
