import type { Context } from 'hono'
import { z } from 'zod'
import { listCampaigns, listSources } from '../db/catalogue'
import { createDb, type Db } from '../db/client'
import type { Position } from '../db/keyset'
import { listIntegrations } from '../db/integrations'
import { countRequests, listRequests, type RequestConditions } from '../db/requests'
import type { DefaultReason, RequestRow } from '../db/schema'
import type { AppEnv } from '../types'
import { createRouter } from '../validation'
import { toCsv } from './csv'
import { dayRange, formatDateTime, formatPhone, withQuery, type RawDataQuery } from './format'
import { Field, renderPage } from './layout'
import { DateFields, EMPTY_PAGE, Pager, readRawDataQuery } from './raw-data'

const PAGE_SIZE = 50
const PATH = '/app/requests'
/** The most rows one CSV holds: a year of a busy clinic, well inside a Worker's time and memory. */
const CSV_MAX_ROWS = 20_000
const CSV_PAGE = 500

const MATCH_METHOD: Record<RequestRow['matchMethod'], string> = {
  session_id: 'ID сессии в записи',
  contact: 'по телефону или e-mail',
  booking_window: 'по окну онлайн-записи',
  default: 'по умолчанию',
}

/** Why a request got the default, in the words of the API's `reason` (edge/api/requests.ts). */
const DEFAULT_REASON: Record<DefaultReason, string> = {
  no_visit_signal: 'визит не найден: нет ID сессии, контакта или открытия онлайн-записи',
  ambiguous: 'онлайн-запись была открыта у нескольких посетителей',
  visit_taken: 'подходящий визит уже связан с другой заявкой',
  rung_off: 'нет ID сессии и контакта, а связь по окну онлайн-записи выключена',
  no_created_at: 'Medods не сообщил время создания записи',
}

/** The filters besides the dates; an id this account does not have simply matches nothing. */
const requestFilters = z.object({
  integrationId: z.string().max(64).catch(''),
  campaignId: z.string().max(64).catch(''),
  sourceId: z.string().max(64).catch(''),
  matchMethod: z.enum(['', 'session_id', 'contact', 'booking_window', 'default']).catch(''),
})
type RequestFilters = z.infer<typeof requestFilters>

type Names = {
  integrations: { id: string; name: string }[]
  campaigns: { id: string; name: string }[]
  sources: { id: string; name: string }[]
}

async function namesOf(db: Db, accountId: string): Promise<Names> {
  const [integrations, campaigns, sources] = await Promise.all([
    listIntegrations(db, accountId, { limit: 200 }),
    listCampaigns(db, accountId, { limit: 200 }),
    listSources(db, accountId, { limit: 200 }),
  ])
  return {
    integrations: integrations.rows.map((row) => ({ id: row.id, name: row.uid.replace(/^https?:\/\//, '') })),
    campaigns: campaigns.rows,
    sources: sources.rows,
  }
}

function readFilters(c: Context<AppEnv>) {
  const dates = readRawDataQuery(c)
  const filters = requestFilters.parse({ integrationId: '', campaignId: '', sourceId: '', matchMethod: '', ...c.req.query() })
  const range = dayRange(dates.query)
  const conditions: RequestConditions = {
    createdFrom: range.from,
    createdTo: range.to,
    integrationId: filters.integrationId || undefined,
    campaignId: filters.campaignId || undefined,
    sourceId: filters.sourceId || undefined,
    matchMethod: filters.matchMethod || undefined,
  }
  return { ...dates, filters, conditions }
}

const nameIn = (list: { id: string; name: string }[], id: string | null) =>
  id ? (list.find((x) => x.id === id)?.name ?? 'удалена') : ''

function tiedTo(row: RequestRow, names: Names) {
  if (row.campaignId) return nameIn(names.campaigns, row.campaignId)
  return row.sourceId ? `Источник: ${nameIn(names.sources, row.sourceId)}` : '—'
}

function Utm({ row }: { row: RequestRow }) {
  const a = row.attribution
  if (!a) return <span class="muted">—</span>
  const tags = [a.source, a.medium, a.campaign].map((tag) => tag || '—').join(' / ')
  return <span title="utm_source / utm_medium / utm_campaign">{tags}</span>
}

function Choice(props: { name: keyof RequestFilters; label: string; value: string; options: [string, string][] }) {
  return (
    <Field id={props.name} label={props.label}>
      <select id={props.name} name={props.name}>
        <option value="">все</option>
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === props.value}>{label}</option>
        ))}
      </select>
    </Field>
  )
}

type FilterProps = { query: RawDataQuery; filters: RequestFilters; names: Names; errors?: { from?: string; to?: string } }

function RequestsFilter({ query, filters, names, errors }: FilterProps) {
  const pairs = (list: { id: string; name: string }[]) => list.map((x): [string, string] => [x.id, x.name])
  return (
    <form method="get" action={PATH} class="filters card">
      <DateFields query={query} errors={errors} label="Созданы" />
      {names.integrations.length > 1 && (
        <Choice name="integrationId" label="Интеграция" value={filters.integrationId} options={pairs(names.integrations)} />
      )}
      <Choice name="campaignId" label="Кампания" value={filters.campaignId} options={pairs(names.campaigns)} />
      <Choice name="sourceId" label="Источник" value={filters.sourceId} options={pairs(names.sources)} />
      <Choice
        name="matchMethod"
        label="Связь с визитом"
        value={filters.matchMethod}
        options={Object.entries(MATCH_METHOD) as [string, string][]}
      />
      <button type="submit">Показать</button>
      <a href={PATH}>Сбросить</a>
    </form>
  )
}

function Totals({ counts }: { counts: Map<RequestRow['matchMethod'], number> }) {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0)
  const tied = total - (counts.get('default') ?? 0)
  const share = total > 0 ? Math.round((tied / total) * 100) : 0
  return (
    <p class="totals" id="requests-totals">
      Всего заявок: <strong data-total={total}>{total}</strong>; связано с визитом: <strong data-tied={tied}>{tied}</strong>
      {total > 0 && ` (${share}%)`}; по умолчанию: {counts.get('default') ?? 0}.
    </p>
  )
}

const page = createRouter().get('/', async (c) => {
  const db = createDb(c.env.DB)
  const accountId = c.get('accountId')
  const { query, cursor, errors, filters, conditions } = readFilters(c)
  const [list, counts, names] = await Promise.all([
    errors ? EMPTY_PAGE : listRequests(db, accountId, { ...conditions, cursor, limit: PAGE_SIZE, direction: 'desc' }),
    errors ? new Map() : countRequests(db, accountId, conditions),
    namesOf(db, accountId),
  ])
  const keep = { ...filters }
  const several = names.integrations.length > 1
  const csvUrl = withQuery(`${PATH}/export.csv`, { from: query.from, to: query.to, ...keep })

  const body = (
    <>
      <h1>Обращения и цели</h1>
      <p class="hint">
        Онлайн-записи из Medods, новые сверху. «По умолчанию» — визит, с которого пришла заявка, не найден: она
        отнесена к кампании (или источнику и сайту), выбранной в настройках интеграции; под ней сказано почему.
      </p>
      <RequestsFilter query={query} filters={filters} names={names} errors={errors} />
      <Totals counts={counts} />
      {list.rows.length === 0 ? (
        <p class="notice info">
          Заявок с такими условиями нет. Заявки появляются после загрузки из Medods:{' '}
          <a href="/app/integrations">запустите её на странице интеграции</a>.
        </p>
      ) : (
        <>
          <p><a class="button secondary" href={csvUrl} id="export-csv">Выгрузить в CSV</a></p>
          <table id="requests">
            <thead>
              <tr>
                <th>Создана</th><th>Контакт</th><th>Врач</th><th>Связь с визитом</th>
                <th>Кампания / источник</th><th>UTM</th>{several && <th>Интеграция</th>}
              </tr>
            </thead>
            <tbody>
              {list.rows.map((row) => (
                <tr data-appointment={row.medodsAppointmentId}>
                  <td class="nowrap">{formatDateTime(row.createdAt)}</td>
                  <td>
                    <div>{row.name || '—'}</div>
                    <div class="muted nowrap">{formatPhone(row.phone)}</div>
                    {row.email && <div class="muted">{row.email}</div>}
                  </td>
                  <td>{row.doctor ?? '—'}</td>
                  <td class="match">
                    {MATCH_METHOD[row.matchMethod]}
                    {row.matchMethod === 'default' && (
                      <div class="muted reason">{DEFAULT_REASON[row.defaultReason ?? 'no_visit_signal']}</div>
                    )}
                  </td>
                  <td class="campaign">{tiedTo(row, names)}</td>
                  <td><Utm row={row} /></td>
                  {several && <td class="integration">{nameIn(names.integrations, row.integrationId)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <Pager path={PATH} query={query} next={list.next} keep={keep} />
    </>
  )
  return renderPage(c, { title: 'Обращения и цели', section: 'requests' }, body)
})

async function allRequests(db: Db, accountId: string, conditions: RequestConditions) {
  const rows: RequestRow[] = []
  let cursor: Position | undefined
  do {
    const part = await listRequests(db, accountId, { ...conditions, cursor, limit: CSV_PAGE, direction: 'desc' })
    rows.push(...part.rows)
    cursor = part.next ?? undefined
  } while (cursor && rows.length < CSV_MAX_ROWS)
  return rows.slice(0, CSV_MAX_ROWS)
}

const CSV_HEADER = [
  'Создана (МСК)', 'Имя', 'Телефон', 'E-mail', 'Врач', 'Связь с визитом', 'Почему по умолчанию', 'Кампания',
  'Источник', 'Метка utm_source', 'Метка utm_medium', 'Метка utm_campaign', 'Интеграция', 'Номер записи в Medods',
]

/** The filtered list as a file, every page of it up to `CSV_MAX_ROWS`, newest first like the page. */
page.get('/export.csv', async (c) => {
  const db = createDb(c.env.DB)
  const accountId = c.get('accountId')
  const { errors, conditions } = readFilters(c)
  const names = await namesOf(db, accountId)
  const rows = errors ? [] : await allRequests(db, accountId, conditions)
  const csv = toCsv(
    CSV_HEADER,
    rows.map((row) => [
      formatDateTime(row.createdAt),
      row.name,
      row.phone,
      row.email,
      row.doctor,
      MATCH_METHOD[row.matchMethod],
      row.matchMethod === 'default' ? DEFAULT_REASON[row.defaultReason ?? 'no_visit_signal'] : '',
      nameIn(names.campaigns, row.campaignId),
      nameIn(names.sources, row.sourceId),
      row.attribution?.source,
      row.attribution?.medium,
      row.attribution?.campaign,
      nameIn(names.integrations, row.integrationId),
      row.medodsAppointmentId,
    ])
  )
  return c.body(csv, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="zayavki.csv"',
  })
})

export const requestsPage = page
