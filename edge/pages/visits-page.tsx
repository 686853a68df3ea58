import { createDb } from '../db/client'
import { visitShards } from '../db/shards'
import { listVisits } from '../db/site-activity'
import { createRouter } from '../validation'
import { dayRange, formatDateTime, type RawDataQuery } from './format'
import { Field, renderPage } from './layout'
import { DateFields, EMPTY_PAGE, Pager, readRawDataQuery } from './raw-data'

const PAGE_SIZE = 50
const PATH = '/app/visits'
const MAX_SOURCE = 200

type VisitsQuery = RawDataQuery & { source: string }
type DateErrors = ReturnType<typeof readRawDataQuery>['errors']

/** The dates of DateFilter (raw-data.tsx) and a source: one form, so each keeps the other. */
function VisitsFilter({ query, errors }: { query: VisitsQuery; errors: DateErrors }) {
  const filtered = query.from || query.to || query.source
  return (
    <form method="get" action={PATH} class="filters card">
      <DateFields query={query} errors={errors} label="Начаты" />
      <Field id="source" label="Источник">
        <input
          type="text"
          id="source"
          name="source"
          value={query.source}
          maxlength={MAX_SOURCE}
          placeholder="yandex, google, (direct)…"
        />
      </Field>
      <button type="submit">Показать</button>
      {filtered && <a href={PATH}>Сбросить</a>}
    </form>
  )
}

function Empty({ filtered }: { filtered: boolean }) {
  return filtered ? (
    <p class="notice info">Визитов с такими условиями нет.</p>
  ) : (
    <p class="notice info">
      Визитов пока нет. Установите код виджета на сайт клиники: он на странице{' '}
      <a href="/app/sites">Установка</a>; первый визит появится здесь через несколько секунд.
    </p>
  )
}

/** Raw data → Visits: the widget's sessions on the account's sites, newest first. */
export const visitsPage = createRouter().get('/', async (c) => {
  const db = createDb(c.env.DB)
  const { query: dates, cursor, errors } = readRawDataQuery(c)
  const source = (c.req.query('source') ?? '').trim().slice(0, MAX_SOURCE)
  const query: VisitsQuery = { ...dates, source }
  const range = dayRange(query)
  const page = errors
    ? EMPTY_PAGE
    : await listVisits(db, visitShards(c.env), c.get('accountId'), {
        startedFrom: range.from,
        startedTo: range.to,
        source: query.source || undefined,
        cursor,
        limit: PAGE_SIZE,
        direction: 'desc',
      })

  const body = (
    <>
      <h1>Визиты</h1>
      <p class="hint">
        Визиты с сайтов клиники, которые записал виджет, новые сверху. Контакты хранятся только как
        необратимые отпечатки: здесь видно лишь, был ли оставлен контакт.
      </p>
      <VisitsFilter query={query} errors={errors} />
      {page.rows.length === 0 ? (
        <Empty filtered={Boolean(query.from || query.to || query.source || errors)} />
      ) : (
        <table id="visits">
          <thead>
            <tr>
              <th>Начат</th><th>Сайт</th><th>Источник / канал / кампания</th><th>Страница входа</th>
              <th>Страниц</th><th>Открытий записи</th><th>Контакт</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <tr data-session={row.id}>
                <td class="nowrap">{formatDateTime(row.startedAt)}</td>
                <td>{row.siteName}</td>
                <td class="utm" title="utm_source / utm_medium / utm_campaign">
                  {[row.source, row.medium, row.campaign].map((tag) => tag || '—').join(' / ')}
                </td>
                <td class="landing url">{row.landingUrl}</td>
                <td class="pages">{row.pages}</td>
                <td class="openings">{row.openings}</td>
                <td class="contact">{row.contact ? 'да' : 'нет'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path={PATH} query={query} next={page.next} keep={{ source: query.source }} />
    </>
  )
  return renderPage(c, { title: 'Визиты', section: 'visits' }, body)
})
