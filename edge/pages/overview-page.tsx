import type { Context } from 'hono'
import { createDb } from '../db/client'
import {
  integrationsWithLastRuns,
  readOverview,
  type IntegrationRuns,
  type LastRun,
  type TopRow,
} from '../db/overview'
import type { RequestRow } from '../db/schema'
import { isStalled } from '../imports/run'
import type { AppEnv } from '../types'
import { createRouter } from '../validation'
import { ChartTable, StackedBarChart, totalOf, type ChartBar } from './charts'
import { dayRange, formatDateTime, formatMoney, runErrorText, RUN_STATUS } from './format'
import { renderPage } from './layout'
import { DateFields, readRawDataQuery } from './raw-data'

const PATH = '/app/overview'
const DAY_MS = 86_400_000
const MOSCOW_MS = 3 * 3_600_000
const DEFAULT_DAYS = 30
const MAX_DAYS = 366

type Method = RequestRow['matchMethod']

/** The rungs first, bottom up, then the default: the chart's series and the table's columns. */
const SERIES: { key: Method; label: string }[] = [
  { key: 'session_id', label: 'По ID сессии' },
  { key: 'contact', label: 'По телефону или e-mail' },
  { key: 'booking_window', label: 'По окну онлайн-записи' },
  { key: 'default', label: 'По умолчанию (без визита)' },
]

// Days are Moscow calendar days, numbered from the epoch: Moscow is UTC+3 with no DST.
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS
const moscowToday = (now: Date) => Math.floor((now.getTime() + MOSCOW_MS) / DAY_MS)
const ruDay = (iso: string) => iso.split('-').reverse().join('.')

const percentFormat = new Intl.NumberFormat('ru-RU', { style: 'percent', maximumFractionDigits: 1 })

type DateErrors = { from?: string; to?: string }
type Chosen = { from: string; to: string; custom: boolean }

/** The chosen days (default: the last 30 Moscow days up to today), or what is wrong with them. */
function readPeriod(c: Context<AppEnv>, now: Date): { chosen: Chosen; errors?: DateErrors } {
  const { query, errors } = readRawDataQuery(c)
  const asked = { from: c.req.query('from') ?? '', to: c.req.query('to') ?? '' }
  if (errors) return { chosen: { ...asked, custom: true }, errors }
  const to = query.to ? dayNumber(query.to) : moscowToday(now)
  const from = query.from ? dayNumber(query.from) : to - (DEFAULT_DAYS - 1)
  const chosen = { from: isoDay(from), to: isoDay(to), custom: Boolean(query.from || query.to) }
  if (from > to) return { chosen, errors: { to: 'Конец периода раньше его начала' } }
  if (to - from + 1 > MAX_DAYS)
    return { chosen, errors: { from: `Период — не больше ${MAX_DAYS} дней` } }
  return { chosen }
}

function PeriodFilter({ chosen, errors }: { chosen: Chosen; errors?: DateErrors }) {
  return (
    <form method="get" action={PATH} class="filters card">
      <DateFields query={chosen} errors={errors} label="Заявки созданы" />
      <button type="submit">Показать</button>
      {chosen.custom && <a href={PATH}>Последние {DEFAULT_DAYS} дней</a>}
    </form>
  )
}

/** Every day of the period, with zeros where nothing was booked. */
function barsOf(
  from: string,
  to: string,
  days: { day: number; method: Method; bookings: number }[]
) {
  const byDay = new Map<number, Record<string, number>>()
  for (const row of days) byDay.set(row.day, { ...byDay.get(row.day), [row.method]: row.bookings })
  const bars: ChartBar[] = []
  for (let day = dayNumber(from); day <= dayNumber(to); day++) {
    const iso = isoDay(day)
    bars.push({
      day: iso,
      label: ruDay(iso).slice(0, 5),
      title: ruDay(iso),
      counts: byDay.get(day) ?? {},
    })
  }
  return bars
}

/** Known amounts only: deals without one are counted aside, never as 0 ₽. */
function Revenue({ row }: { row: TopRow }) {
  const unknown = row.deals - row.priced
  return (
    <>
      <span class="nowrap">{formatMoney(row.revenue, 'RUB')}</span>
      {unknown > 0 && <div class="muted">без суммы: {unknown}</div>}
    </>
  )
}

function TopTable(props: {
  id: string
  title: string
  what: string
  rows: TopRow[]
  empty: string
}) {
  return (
    <section class="top">
      <h3>{props.title}</h3>
      {props.rows.length === 0 ? (
        <p class="muted">{props.empty}</p>
      ) : (
        <table id={props.id}>
          <thead>
            <tr>
              <th>{props.what}</th>
              <th>Заявки</th>
              <th>Сделки</th>
              <th>Выручка</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr data-id={row.id}>
                <td class="name">{row.name ?? <span class="muted">удалена ({row.id})</span>}</td>
                <td data-col="bookings">{row.bookings}</td>
                <td data-col="deals">{row.deals}</td>
                <td data-col="revenue">
                  <Revenue row={row} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

// The four top tables: campaigns and sources, each by bookings and by the known revenue of their
// deals.
const TOP_DIMENSIONS = [
  { key: 'campaigns', title: 'Кампании', what: 'Кампания', none: 'Нет заявок с кампанией.' },
  { key: 'sources', title: 'Источники', what: 'Источник', none: 'Нет заявок с источником.' },
] as const
const TOP_ORDERS = [
  { key: 'bookings', title: 'по заявкам' },
  { key: 'revenue', title: 'по выручке' },
] as const

function RunCell({ run, on }: { run: LastRun | null; on: boolean }) {
  if (!run)
    return (
      <td data-status="none" class="muted">
        {on ? 'ещё не запускалась' : 'выключена'}
      </td>
    )
  const stalled = isStalled(run, new Date())
  return (
    <td data-status={run.status}>
      {RUN_STATUS[run.status]}, {formatDateTime(run.createdAt)}
      {stalled && <div class="muted">не продвигается: запустите загрузку снова</div>}
      {run.error && <div class="error">{runErrorText(run.error)}</div>}
    </td>
  )
}

function RunsSection({ runs }: { runs: IntegrationRuns[] }) {
  return (
    <section class="card" id="overview-runs">
      <h2>Последние загрузки</h2>
      {runs.length === 0 ? (
        <p class="notice info" id="no-integration">
          Medods ещё не подключён: заявки и сделки появятся после первой загрузки.{' '}
          <a href="/app/integrations/new">Подключить Medods</a>
        </p>
      ) : (
        <table id="runs">
          <thead>
            <tr>
              <th>Интеграция</th>
              <th>Заявки</th>
              <th>Сделки</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((row) => (
              <tr data-integration={row.id}>
                <td>
                  <a href={`/app/integrations/${row.id}`}>{row.uid}</a>
                  {!row.active && <div class="muted">выключена</div>}
                </td>
                <RunCell run={row.requestsRun} on={row.sendRequests} />
                <RunCell run={row.dealsRun} on={row.sendDeals} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Bookings({ bars, hasIntegration }: { bars: ChartBar[]; hasIntegration: boolean }) {
  const total = bars.reduce((sum, bar) => sum + totalOf(SERIES, bar), 0)
  const period = `с ${bars[0]!.title} по ${bars[bars.length - 1]!.title}`
  if (total === 0) {
    return (
      <section class="card">
        <h2>Заявки по дням</h2>
        <p class="notice info" id="no-bookings">
          Заявок {period} нет.{' '}
          {hasIntegration
            ? 'Заявки загружаются раз в сутки; загрузку можно запустить на странице интеграции ниже.'
            : 'Подключите Medods, чтобы они загружались.'}
        </p>
      </section>
    )
  }
  const tied = total - bars.reduce((sum, bar) => sum + (bar.counts.default ?? 0), 0)
  return (
    <section class="card">
      <h2>Заявки по дням</h2>
      <p class="share" id="share" data-share={(tied / total).toFixed(4)}>
        Связано с визитом на сайте: <strong>{percentFormat.format(tied / total)}</strong>{' '}
        <span class="muted">
          ({tied} из {total} заявок {period})
        </span>
      </p>
      <StackedBarChart
        id="bookings-chart"
        title={`Онлайн-заявки по дням ${period}`}
        series={SERIES}
        bars={bars}
      />
      <details class="days">
        <summary>Таблица: заявки по дням</summary>
        <ChartTable id="overview-days" first="День" series={SERIES} bars={bars} />
      </details>
    </section>
  )
}

/**
 * Обзор: the period's bookings by day and rung, the share tied to a visit, top campaigns and
 * sources, runs.
 */
export const overviewPage = createRouter().get('/', async (c) => {
  const db = createDb(c.env.DB)
  const accountId = c.get('accountId')
  const { chosen, errors } = readPeriod(c, new Date())
  const filter = <PeriodFilter chosen={chosen} errors={errors} />
  if (errors) {
    const runs = await integrationsWithLastRuns(db, accountId, 50)
    const body = (
      <>
        <h1>Обзор</h1>
        {filter}
        <RunsSection runs={runs} />
      </>
    )
    return renderPage(c, { title: 'Обзор', section: 'overview' }, body, 400)
  }
  const range = dayRange(chosen)
  const data = await readOverview(db, accountId, { from: range.from!, to: range.to! })
  const bars = barsOf(chosen.from, chosen.to, data.days)
  const hasBookings = data.days.length > 0
  const body = (
    <>
      <h1>Обзор</h1>
      <p class="hint">
        Онлайн-записи из Medods по дню создания (по московскому времени) и их связь с визитами на
        сайте.
      </p>
      {data.runs.length === 0 && (
        <p class="notice info">
          Чтобы здесь появились данные, <a href="/app/integrations/new">подключите Medods</a>.
        </p>
      )}
      {filter}
      <Bookings bars={bars} hasIntegration={data.runs.length > 0} />
      {hasBookings && (
        <section class="card tops">
          <h2>Кампании и источники</h2>
          <p class="hint">
            Заявки периода и сделки по ним; выручка — сумма известных сумм сделок, сделки без суммы
            показаны отдельно.
          </p>
          <div class="grid">
            {TOP_DIMENSIONS.flatMap((d) =>
              TOP_ORDERS.map((o) => (
                <TopTable
                  id={`top-${d.key}-${o.key}`}
                  title={`${d.title} ${o.title}`}
                  what={d.what}
                  rows={data[d.key][o.key]}
                  empty={o.key === 'revenue' ? 'Нет сделок с известной суммой.' : d.none}
                />
              ))
            )}
          </div>
        </section>
      )}
      <RunsSection runs={data.runs} />
    </>
  )
  return renderPage(c, { title: 'Обзор', section: 'overview' }, body)
})
