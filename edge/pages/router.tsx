import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { ApiError, renderError } from '../errors'
import type { AppEnv } from '../types'
import { createRouter } from '../validation'
import { serveAssets } from './assets'
import { dealsPage } from './deals-page'
import { installPages } from './install-page'
import { integrationPages } from './integrations'
import { Field, renderPage } from './layout'
import { overviewPage } from './overview-page'
import { requestsPage } from './requests-page'
import { pageHeaders, sameOriginForms } from './security'
import { requireSignedIn, signIn, signOut } from './session'
import { visitsPage } from './visits-page'

/** A path of this app to return to after sign-in: never another origin (`//evil`, `/\\evil`, a scheme). */
const returnPath = z
  .string()
  .max(2000)
  .regex(/^\/app(?:[/?#][^\\\s]*)?$/)
  .catch('/app')

const signInForm = z.object({
  token: z.string().trim().min(1, 'Вставьте токен кабинета').max(4096, 'Слишком длинный токен'),
  next: returnPath.default('/app'),
})

/** Why a token was refused, for a person (the API's English reason stays in the API). */
const tokenRefusal = (reason: string) =>
  /expired/i.test(reason)
    ? 'Срок действия токена истёк: получите новый в кабинете сквозной аналитики.'
    : 'Токен не принят: скопируйте его из кабинета сквозной аналитики целиком.'

/** `/app` forms are a few fields; anything larger is refused before it is parsed. */
const PAGE_BODY_BYTES = 64 * 1024

function signInPage(c: Context<AppEnv>, error?: string, status?: 400 | 401, next?: string) {
  const expired = c.req.query('expired') === '1'
  const body = (
    <form method="post" action="/app/sign-in" class="card">
      <h1>Вход</h1>
      {expired && <p class="notice info">Сессия закончилась: войдите снова.</p>}
      <input type="hidden" name="next" value={next ?? returnPath.parse(c.req.query('next') ?? '/app')} />
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
  const status = err.status as 400 | 403 | 404 | 409 | 413
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
pagesApp.use(
  bodyLimit({
    maxSize: PAGE_BODY_BYTES,
    onError: () => {
      throw new ApiError('payload_too_large', 'Слишком большая форма')
    },
  })
)
pagesApp.get('/assets/:file', serveAssets(['app.css', 'app.js']))
// Pages show patients' names and phones: no copy of any page stays in a cache, Back included.
pagesApp.use(async (c, next) => {
  await next()
  c.header('Cache-Control', 'no-store')
})
pagesApp.get('/', (c) => c.redirect('/app/overview', 303))
pagesApp.get('/sign-in', (c) => signInPage(c))
pagesApp.post('/sign-in', async (c) => {
  const form = await c.req.parseBody()
  const next = returnPath.parse(form.next ?? '/app')
  const parsed = signInForm.safeParse(form)
  if (!parsed.success) return signInPage(c, parsed.error.issues[0]?.message, 400, next)
  try {
    await signIn(c, parsed.data.token)
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return signInPage(c, tokenRefusal(err.message), 401, next)
  }
  return c.redirect(parsed.data.next, 303)
})
pagesApp.post('/sign-out', async (c) => {
  await signOut(c)
  return c.redirect('/app/sign-in', 303)
})
for (const section of ['/overview/*', '/integrations/*', '/requests/*', '/deals/*', '/sites/*', '/visits/*']) {
  pagesApp.use(section, requireSignedIn)
}
pagesApp.route('/overview', overviewPage)
pagesApp.route('/integrations', integrationPages)
pagesApp.route('/requests', requestsPage)
pagesApp.route('/deals', dealsPage)
pagesApp.route('/sites', installPages)
pagesApp.route('/visits', visitsPage)
