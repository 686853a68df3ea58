import { listCampaigns, listSources } from '../db/catalogue'
import { createDb } from '../db/client'
import { listDeals } from '../db/deal-reads'
import { listPipelines } from '../db/pipelines'
import { createRouter } from '../validation'
import { dayRange, formatDateTime, formatMoney, formatPhone } from './format'
import { renderPage } from './layout'
import { DateFilter, EMPTY_PAGE, Pager, readRawDataQuery } from './raw-data'

const PAGE_SIZE = 50
const PATH = '/app/deals'

/** Raw data → Deals: the API's own read, newest change first, with the pipeline and the request's campaign. */
export const dealsPage = createRouter().get('/', async (c) => {
  const db = createDb(c.env.DB)
  const accountId = c.get('accountId')
  const { query, cursor, errors } = readRawDataQuery(c)
  const range = dayRange(query)
  const page = errors
    ? EMPTY_PAGE
    : await listDeals(db, accountId, {
        modifiedFrom: range.from,
        modifiedTo: range.to,
        cursor,
        limit: PAGE_SIZE,
        direction: 'desc',
      })
  const [pipelines, campaigns, sources] = await Promise.all([
    listPipelines(db, accountId, { limit: 200 }),
    listCampaigns(db, accountId, { limit: 200 }),
    listSources(db, accountId, { limit: 200 }),
  ])
  const pipelineName = new Map(pipelines.rows.map((p) => [p.id, p.name]))
  const campaignName = new Map(campaigns.rows.map((x) => [x.id, x.name]))
  const sourceName = new Map(sources.rows.map((x) => [x.id, x.name]))
  const tiedTo = (campaignId: string | null, sourceId: string | null) =>
    campaignId
      ? (campaignName.get(campaignId) ?? 'удалена')
      : sourceId
        ? `Источник: ${sourceName.get(sourceId) ?? 'удалён'}`
        : '—'

  const body = (
    <>
      <h1>Сделки</h1>
      <p class="hint">
        Сделки из записей Medods, недавно изменённые сверху. Сумма «—» — Medods не отдал заказ, она появится
        при следующей загрузке.
      </p>
      <DateFilter action={PATH} query={query} errors={errors} label="Изменены" />
      {page.rows.length === 0 ? (
        <p class="notice info">
          Сделок за этот период нет. Сделки загружаются, если в интеграции включено «Передавать сделки»:{' '}
          <a href="/app/integrations">открыть интеграции</a>.
        </p>
      ) : (
        <table id="deals">
          <thead>
            <tr>
              <th>Сумма</th><th>Название</th><th>Стадия</th><th>Воронка</th><th>Контакт</th>
              <th>Менеджер</th><th>Заявка</th><th>Изменена</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map(({ deal, stage, contact, managerName, requestId, requestCampaignId, requestSourceId, requestCreatedAt }) => (
              <tr data-appointment={deal.medodsAppointmentId}>
                <td class="nowrap">{formatMoney(deal.amount, deal.currency)}</td>
                <td>{deal.title}</td>
                <td>{stage.title}</td>
                <td>{pipelineName.get(deal.pipelineId) ?? '—'}</td>
                <td>
                  <div>{contact?.name ?? '—'}</div>
                  <div class="muted nowrap">{formatPhone(contact?.phone ?? null)}</div>
                </td>
                <td>{managerName ?? '—'}</td>
                <td class="request">
                  {requestId ? (
                    <>
                      <div class="nowrap">от {formatDateTime(requestCreatedAt)}</div>
                      <div class="muted">{tiedTo(requestCampaignId, requestSourceId)}</div>
                    </>
                  ) : (
                    <span class="muted">не онлайн-запись</span>
                  )}
                </td>
                <td class="nowrap">{formatDateTime(deal.modifiedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path={PATH} query={query} next={page.next} />
    </>
  )
  return renderPage(c, { title: 'Сделки', section: 'deals' }, body)
})
