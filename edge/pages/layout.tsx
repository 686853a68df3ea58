import type { Context } from 'hono'
import { html } from 'hono/html'
import type { Child } from 'hono/jsx'

type Section = 'overview' | 'integrations' | 'sites' | 'requests' | 'visits' | 'deals'

type LayoutProps = {
  title: string
  section?: Section
  children?: Child
}

const NAV: [Section, string, string][] = [
  ['overview', '/app/overview', 'Обзор'],
  ['integrations', '/app/integrations', 'Интеграции'],
  ['sites', '/app/sites', 'Установка'],
  ['requests', '/app/requests', 'Сырые данные → Обращения и цели'],
  ['visits', '/app/visits', 'Сырые данные → Визиты'],
  ['deals', '/app/deals', 'Сырые данные → Сделки'],
]

function Layout(props: LayoutProps) {
  return (
    <html lang="ru">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} — Medods → сквозная аналитика</title>
        <link rel="stylesheet" href="/app/assets/app.css" />
        <script src="/app/assets/app.js" defer></script>
      </head>
      <body>
        <header>
          <strong>Medods → сквозная аналитика</strong>
          {props.section !== undefined &&
            NAV.map(([section, href, label]) => (
              <a href={href} aria-current={section === props.section ? 'page' : undefined}>
                {label}
              </a>
            ))}
          {props.section !== undefined && (
            <form method="post" action="/app/sign-out">
              <button type="submit">Выйти</button>
            </form>
          )}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  )
}

/** A whole page: doctype and layout around the body, with the status given. */
export function renderPage(
  c: Context,
  props: Omit<LayoutProps, 'children'>,
  body: Child,
  status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 = 200
) {
  return c.html(html`<!doctype html>${(<Layout {...props}>{body}</Layout>)}`, status)
}

/** One form field: label, control, hint, and its error right under it. */
export function Field(props: { id: string; label: string; error?: string; hint?: string; children: Child }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <div class="hint">{props.hint}</div>}
      {props.error && (
        <div class="error" id={`${props.id}-error`} role="alert">
          {props.error}
        </div>
      )}
    </div>
  )
}
