import { html } from 'hono/html'
import { z } from 'zod'
import { ApiError } from '../errors'
import { createRouter } from '../validation'
import { serveAssets } from './assets'
import { pageHeaders } from './security'

/** The site `scripts/seed.sql` creates for the demo account (domain 127.0.0.1). */
const DEMO_SITE_KEY = 'demo-site-key'

const bookingOrigin = z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)

function DemoPage({ origin }: { origin: string }) {
  return (
    <html lang="ru">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Клиника «Здоровье» — демо</title>
        <link rel="stylesheet" href="/demo/assets/demo.css" />
        {/* data-allow-bots: the browser tests walk this very page in headless Chromium. */}
        <script async src="/w.js" data-site={DEMO_SITE_KEY} data-booking-origin={origin} data-allow-bots />
        <script src="/demo/assets/demo.js" defer></script>
      </head>
      <body>
        <header>
          <h1>Клиника «Здоровье»</h1>
          <p>Демо-сайт клиники: виджет аналитики и онлайн-запись Medods (песочница)</p>
        </header>
        <main>
          <h2>Стоматология и терапия в центре города</h2>
          <p>Приём терапевта, стоматолога и кардиолога. Запишитесь онлайн — клиника подтвердит время.</p>
          <button type="button" class="medods-record-btn">Записаться онлайн</button>
          <p>
            После записи откройте <a href="/app/integrations">страницу интеграции</a>, нажмите
            «Запустить сейчас» и найдите заявку в разделе <a href="/app/requests">Заявки</a>.
          </p>
        </main>
        <aside id="booking-drawer" data-src={`${origin}/online/`} hidden>
          <div class="bar">
            <strong>Онлайн-запись</strong>
            <button type="button" data-close>Закрыть</button>
          </div>
          <iframe title="Онлайн-запись Medods"></iframe>
        </aside>
      </body>
    </html>
  )
}

/**
 * `/demo`: a clinic's site for `npm start`, carrying the widget and a Medods booking button that opens
 * the sandbox's booking page in a drawer, as Medods' own widget does. Off (404) unless
 * DEMO_BOOKING_ORIGIN names the booking origin, which only the local start sets.
 */
export const demoApp = createRouter()
demoApp.use(async (c, next) => {
  const origin = bookingOrigin.safeParse(c.env.DEMO_BOOKING_ORIGIN)
  if (!origin.success) throw new ApiError('not_found', 'The demo runs only under npm start')
  return pageHeaders([origin.data])(c, next)
})
demoApp.get('/assets/:file', serveAssets(['demo.css', 'demo.js']))
demoApp.get('/', (c) => {
  const origin = bookingOrigin.parse(c.env.DEMO_BOOKING_ORIGIN)
  return c.html(html`<!doctype html>${(<DemoPage origin={origin} />)}`)
})
