import { listCampaigns, listSources } from '../db/catalogue'
import { createDb } from '../db/client'
import { listRequests } from '../db/requests'
import type { DefaultReason, RequestRow } from '../db/schema'
import { createRouter } from '../validation'
import { dayRange, formatDateTime, formatPhone } from './format'
import { renderPage } from './layout'
import { DateFilter, EMPTY_PAGE, Pager, readRawDataQuery } from './raw-data'

const PAGE_SIZE = 50
const PATH = '/app/requests'

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

function Utm({ row }: { row: RequestRow }) {
  const a = row.attribution
  if (!a) return <span class="muted">—</span>
  const tags = [a.source, a.medium, a.campaign].map((tag) => tag || '—').join(' / ')
  return <span title="utm_source / utm_medium / utm_campaign">{tags}</span>
}

export const requestsPage = createRouter().get('/', async (c) => {
  const db = createDb(c.env.DB)
  const accountId = c.get('accountId')
  const { query, cursor, errors } = readRawDataQuery(c)
  const range = dayRange(query)
  const page = errors
    ? EMPTY_PAGE
    : await listRequests(db, accountId, {
        createdFrom: range.from,
        createdTo: range.to,
        cursor,
        limit: PAGE_SIZE,
        direction: 'desc',
      })
  const [campaigns, sources] = await Promise.all([
    listCampaigns(db, accountId, { limit: 200 }),
    listSources(db, accountId, { limit: 200 }),
  ])
  const campaignName = new Map(campaigns.rows.map((x) => [x.id, x.name]))
  const sourceName = new Map(sources.rows.map((x) => [x.id, x.name]))

  const body = (
    <>
      <h1>Заявки</h1>
      <p class="hint">Онлайн-записи из Medods, новые сверху.</p>
      <DateFilter action={PATH} query={query} errors={errors} label="Созданы" />
      {page.rows.length === 0 ? (
        <p class="notice info">Заявок за этот период нет.</p>
      ) : (
        <table id="requests">
          <thead>
            <tr>
              <th>Создана</th><th>Контакт</th><th>Врач</th><th>Связь с визитом</th>
              <th>Кампания / источник</th><th>UTM</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <tr data-appointment={row.medodsAppointmentId}>
                <td class="nowrap">{formatDateTime(row.createdAt)}</td>
                <td>
                  <div>{row.name ?? '—'}</div>
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
                <td class="campaign">
                  {row.campaignId
                    ? (campaignName.get(row.campaignId) ?? row.campaignId)
                    : row.sourceId
                      ? `Источник: ${sourceName.get(row.sourceId) ?? row.sourceId}`
                      : '—'}
                </td>
                <td><Utm row={row} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path={PATH} query={query} next={page.next} />
    </>
  )
  return renderPage(c, { title: 'Заявки', section: 'requests' }, body)
})
