import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { ApiError, renderError } from '../errors'
import type { AppEnv } from '../types'
import { createRouter } from '../validation'
import { serveAssets } from './assets'
import { dealsPage } from './deals-page'
import { integrationPages } from './integrations'
import { Field, renderPage } from './layout'
import { requestsPage } from './requests-page'
import { pageHeaders, sameOriginForms } from './security'
import { requireSignedIn, signIn, signOut } from './session'

const signInForm = z.object({
  token: z.string().trim().min(1, 'Вставьте токен кабинета').max(4096, 'Слишком длинный токен'),
})

function signInPage(c: Context<AppEnv>, error?: string, status?: 400 | 401) {
  const expired = c.req.query('expired') === '1'
  const body = (
    <form method="post" action="/app/sign-in" class="card">
      <h1>Вход</h1>
      {expired && <p class="notice info">Сессия закончилась: войдите снова.</p>}
      <Field id="token" label="Токен кабинета" error={error} hint="JWT, выданный кабинетом сквозной аналитики">
        <input type="password" id="token" name="token" autocomplete="off" aria-invalid={error ? 'true' : undefined} />
      </Field>
      <button type="submit">Войти</button>
    </form>
  )
  return renderPage(c, { title: 'Вход' }, body, status)
}

/** A refused request is a page for a person; an unknown error stays the app's logged JSON 500. */
function renderPageError(err: Error, c: Context<AppEnv>) {
  if (!(err instanceof HTTPException) || err.status >= 500) return renderError(err, c)
  const status = err.status as 400 | 403 | 404 | 409
  const text =
    err.status === 403
      ? 'Запрос отклонён: форма отправлена не с этой страницы.'
      : err.status === 404
        ? 'Страница не найдена.'
        : `Запрос не выполнен: ${err.message}`
  const section = c.get('accountId') ? 'integrations' : undefined
  const body = (
    <>
      <h1>{err.status === 404 ? 'Не найдено' : 'Ошибка'}</h1>
      <p class="notice fail" role="alert">{text}</p>
      <p><a href="/app/integrations">К интеграциям</a></p>
    </>
  )
  return renderPage(c, { title: 'Ошибка', section }, body, status)
}

/** Pages for a person under `/app`: sign-in with a cabinet token, the integration, raw data. */
export const pagesApp = createRouter()
pagesApp.onError(renderPageError)
pagesApp.use(pageHeaders())
pagesApp.use(sameOriginForms)
pagesApp.get('/assets/:file', serveAssets(['app.css', 'app.js']))
pagesApp.get('/', (c) => c.redirect('/app/integrations', 303))
pagesApp.get('/sign-in', (c) => signInPage(c))
pagesApp.post('/sign-in', async (c) => {
  const parsed = signInForm.safeParse(await c.req.parseBody())
  if (!parsed.success) return signInPage(c, parsed.error.issues[0]?.message, 400)
  try {
    await signIn(c, parsed.data.token)
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return signInPage(c, `Токен не принят (${err.message})`, 401)
  }
  return c.redirect('/app/integrations', 303)
})
pagesApp.post('/sign-out', (c) => {
  signOut(c)
  return c.redirect('/app/sign-in', 303)
})
for (const section of ['/integrations/*', '/requests/*', '/deals/*']) pagesApp.use(section, requireSignedIn)
pagesApp.route('/integrations', integrationPages)
pagesApp.route('/requests', requestsPage)
pagesApp.route('/deals', dealsPage)
