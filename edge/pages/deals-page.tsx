import { toPage } from '../api/pagination'
import { createDb } from '../db/client'
import { listDeals } from '../db/deal-reads'
import { listPipelines } from '../db/pipelines'
import { normalizePhone } from '../imports/contacts'
import { createRouter } from '../validation'
import { dayRange, formatDateTime, formatMoney, formatPhone } from './format'
import { renderPage } from './layout'
import { DateFilter, Pager, readRawDataQuery } from './raw-data'

const PAGE_SIZE = 50
const PATH = '/app/deals'

/** Raw data → Deals: the API's own read (by modification time, oldest first) with the pipeline named. */
export const dealsPage = createRouter().get('/', async (c) => {
  const db = createDb(c.env.DB)
  const accountId = c.get('accountId')
  const { query, errors } = readRawDataQuery(c)
  const range = dayRange(query)
  const rows =
    Object.keys(errors).length > 0
      ? []
      : await listDeals(db, accountId, {
          modifiedFrom: range.from,
          modifiedTo: range.to,
          cursor: query.cursor,
          limit: PAGE_SIZE + 1,
        })
  const position = (r: (typeof rows)[number]) => ({ at: r.deal.modifiedAt.getTime(), id: r.deal.id })
  const page = toPage(rows, PAGE_SIZE, position, (r) => r)
  const pipelines = await listPipelines(db, accountId, { limit: 200 })
  const pipelineName = new Map(pipelines.map((p) => [p.id, p.name]))

  const body = (
    <>
      <h1>Сделки</h1>
      <p class="hint">Сделки из записей Medods по времени изменения, от ранних к поздним.</p>
      <DateFilter action={PATH} query={query} errors={errors} label="Изменены" />
      {page.data.length === 0 ? (
        <p class="notice info">Сделок за этот период нет.</p>
      ) : (
        <table id="deals">
          <thead>
            <tr>
              <th>Сумма</th><th>Название</th><th>Стадия</th><th>Воронка</th><th>Контакт</th>
              <th>Менеджер</th><th>Изменена</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map(({ deal, stage, contact, managerName }) => (
              <tr data-appointment={deal.medodsAppointmentId}>
                <td class="nowrap">{formatMoney(deal.amount, deal.currency)}</td>
                <td>{deal.title}</td>
                <td>{stage.title}</td>
                <td>{pipelineName.get(deal.pipelineId) ?? '—'}</td>
                <td>
                  <div>{contact?.name ?? '—'}</div>
                  <div class="muted nowrap">{formatPhone(normalizePhone(contact?.phone))}</div>
                </td>
                <td>{managerName ?? '—'}</td>
                <td class="nowrap">{formatDateTime(deal.modifiedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path={PATH} query={query} nextCursor={page.nextCursor} />
    </>
  )
  return renderPage(c, { title: 'Сделки', section: 'deals' }, body)
})
