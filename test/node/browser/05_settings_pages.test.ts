import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { personContext, signIn, tokenFor, shot, useStack } from './stack'

const DEMO_IDENTITY = '6f1c2a9e-4b7d-4e21-9a3f-0d5e8c7b1a20'
const DEMO_SECRET = '9c4e1f0b7a2d5e8c3b6a9f1e4d7c0b3a6e9d2c5f8b1a4e7d0c3f6b9a2e5d8c1f'

const running = useStack()

const errorOf = (page: Page, field: string) => page.textContent(`#${field}-error`)

describe('the settings pages in a browser', () => {
  it('refuses a wrong token next to its field, and keeps a good one in an HttpOnly SameSite cookie', async () => {
    const context = await personContext(running.browser)
    const page = await context.newPage()
    await page.goto(`${running.stack.origin}/app/integrations`)
    expect(new URL(page.url()).pathname).toBe('/app/sign-in')
    await page.fill('#token', 'not-a-token')
    await page.click('button[type=submit]')
    expect(await errorOf(page, 'token')).toContain('Токен не принят')
    await shot(page, 'settings-sign-in-refused')

    await signIn(context, running.stack)
    const cookie = (await context.cookies()).find((c) => c.name === 'mb_session')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/app', secure: false })
    expect(cookie.value).not.toContain(running.stack.token.slice(0, 20))
    await context.close()
  })

  it('shows validation errors next to their fields, saves, and shows the install script to copy', async () => {
    const context = await personContext(running.browser)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: running.stack.origin })
    const page = await signIn(context, running.stack)
    await page.click('text=Подключить Medods')
    await page.check('#sendRequests')
    await page.fill('#uid', 'https://example.com/')
    await page.click('text=Сохранить')
    expect(await errorOf(page, 'uid')).toBe('Укажите адрес клиники в Medods, например https://beta45.medods.ru/')
    expect(await errorOf(page, 'identity')).toBe('Укажите Identity из файла ключа API v2')
    expect(await errorOf(page, 'secretKey')).toBe('Укажите SecretKey из файла ключа API v2')
    expect(await errorOf(page, 'campaignId')).toBe('Выберите рекламную кампанию для заявок без визита')
    expect(await page.getAttribute('#uid', 'aria-invalid')).toBe('true')
    expect(await page.inputValue('#uid')).toBe('https://example.com/')
    await shot(page, 'settings-errors')

    // The Campaign / Source marker, a two-way choice, swaps the campaign for a source and a site.
    expect(await page.isVisible('#campaignId')).toBe(true)
    expect(await page.isVisible('#sourceId')).toBe(false)
    await page.check('input[name=bySource][value=on]')
    expect(await page.isVisible('#campaignId')).toBe(false)
    expect(await page.isVisible('#siteId')).toBe(true)
    await page.check('input[name=bySource][value=off]')

    // The demo clinic is connected already (npm start did it): a second connection is refused at its field.
    await page.fill('#uid', `${running.stack.medodsOrigin}/`)
    await page.fill('#identity', DEMO_IDENTITY)
    await page.fill('#secretKey', DEMO_SECRET)
    await page.selectOption('#campaignId', { label: 'Онлайн-запись без визита' })
    await page.click('text=Сохранить')
    expect(await errorOf(page, 'uid')).toContain('Эта клиника уже подключена')
    expect(await page.inputValue('#identity')).toBe(DEMO_IDENTITY)

    await page.goto(running.stack.integrationUrl)
    await page.fill('#identity', DEMO_IDENTITY)
    await page.fill('#secretKey', DEMO_SECRET)
    await page.selectOption('#campaignId', { label: 'Онлайн-запись без визита' })
    await page.click('text=Сохранить')
    await page.waitForURL(/\/app\/integrations\/[0-9a-f-]{36}\?saved=1/)
    expect(await page.textContent('[role=status]')).toContain('Настройки сохранены')
    const script = await page.textContent('#install-script')
    expect(script).toBe(`<script async src="${running.stack.origin}/w.js" data-site="demo-site-key"></script>`)
    await page.click('text=Копировать код')
    await expect.poll(() => page.textContent('[data-copy]')).toBe('Скопировано')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(script)
    expect(await page.inputValue('#secretKey')).toBe('')
    expect(await page.textContent('form.card')).toContain('••••8c1f')
    await shot(page, 'settings-saved')

    await page.click('text=Проверить подключение')
    expect(await page.textContent('#check-result')).toContain('Подключение работает')

    // A wrong key is saved (only the key changes), and the save itself says Medods refused it.
    await page.fill('#secretKey', 'wrong-secret-key-0123456789')
    await page.click('text=Сохранить')
    expect(await page.textContent('[role=status]')).toContain('Настройки сохранены, но подключение к Medods не работает')
    expect(await page.textContent('#check-result')).toContain('Medods не принял ключ')
    await page.click('text=Проверить подключение')
    expect(await page.textContent('#check-result')).toContain('Medods не принял ключ')
    expect(await page.inputValue('#identity')).toBe(DEMO_IDENTITY)
    await shot(page, 'settings-check-failed')
    await context.close()
  })

  it("another account's token sees none of the demo account's pages", async () => {
    const context = await personContext(running.browser)
    const page = await signIn(context, { ...running.stack, token: tokenFor('other-clinic') })
    expect(new URL(page.url()).pathname).toBe('/app/integrations/new')
    const response = await page.goto(running.stack.integrationUrl)
    expect(response?.status()).toBe(404)
    expect(await page.textContent('h1')).toBe('Не найдено')
    await page.goto(`${running.stack.origin}/app/requests`)
    expect(await page.textContent('main')).toContain('Заявок с такими условиями нет')
    await context.close()
  })
})
