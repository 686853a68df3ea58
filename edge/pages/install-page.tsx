import type { Context } from 'hono'
import { createDb } from '../db/client'
import { visitShards } from '../db/shards'
import { findSiteActivity, listSitesWithLastHit, type SiteActivity } from '../db/site-activity'
import { ApiError } from '../errors'
import { installForSite } from '../settings/install'
import type { AppEnv } from '../types'
import { createRouter } from '../validation'
import { formatDateTime } from './format'
import { InstallCard } from './integration-view'
import { renderPage } from './layout'
import { Pager, readRawDataQuery } from './raw-data'

const PAGE_SIZE = 50
const PATH = '/app/sites'
const DAY_MS = 86_400_000
/** A site the widget has not reported from for this many days is said to be quiet, not working. */
const QUIET_DAYS = 7

type SiteState = { key: 'waiting' | 'working' | 'quiet'; label: string }

function daysWord(n: number) {
  const tens = n % 100
  if (n % 10 === 1 && tens !== 11) return 'день'
  if (n % 10 >= 2 && n % 10 <= 4 && (tens < 10 || tens >= 20)) return 'дня'
  return 'дней'
}

/** Waiting until the first event arrives, then working, or quiet after a week without one. */
export function siteState(lastHit: Date | null, now = new Date()): SiteState {
  if (!lastHit) return { key: 'waiting', label: 'ждём первого визита' }
  const days = Math.floor((now.getTime() - lastHit.getTime()) / DAY_MS)
  if (days >= QUIET_DAYS) return { key: 'quiet', label: `нет визитов ${days} ${daysWord(days)}` }
  return { key: 'working', label: 'работает' }
}

const NOTICE_KIND = { waiting: 'info', working: 'ok', quiet: 'fail' } as const

function StateNotice({ activity }: { activity: SiteActivity }) {
  const state = siteState(activity.lastHit)
  const { domain } = activity.site
  return (
    <>
      <p
        class={`notice ${NOTICE_KIND[state.key]}`}
        id="site-state"
        data-state={state.key}
        role="status"
      >
        Виджет на сайте: <strong>{state.label}</strong>
      </p>
      {state.key === 'waiting' && (
        <p class="hint">
          Вставьте код ниже на страницы сайта {domain} и откройте любую из них: визит появится
          здесь через несколько секунд. <a href={`${PATH}/${activity.site.id}`}>Обновить</a>
        </p>
      )}
      {state.key === 'quiet' && (
        <p class="hint">Проверьте, что код по-прежнему стоит на страницах сайта {domain}.</p>
      )}
    </>
  )
}

function ActivityCard({ activity }: { activity: SiteActivity }) {
  return (
    <section class="card" id="site-activity">
      <h2>Состояние</h2>
      <StateNotice activity={activity} />
      <table class="facts">
        <tbody>
          <tr>
            <th>Последний визит виджета</th>
            <td id="last-hit">{formatDateTime(activity.lastHit)}</td>
          </tr>
          <tr>
            <th>Визитов за 24 часа</th>
            <td id="visits-24h">{activity.visits}</td>
          </tr>
          <tr>
            <th>Открытий онлайн-записи за 24 часа</th>
            <td id="openings-24h">{activity.openings}</td>
          </tr>
        </tbody>
      </table>
      <p>
        <a href="/app/visits">Все визиты →</a>
      </p>
    </section>
  )
}

async function sitePage(c: Context<AppEnv>) {
  const db = createDb(c.env.DB)
  const since = new Date(Date.now() - DAY_MS)
  const activity = await findSiteActivity(db, visitShards(c.env), c.get('accountId'), c.req.param('id') ?? '', since)
  if (!activity) throw new ApiError('not_found', 'Сайт не найден')
  // Without its siteId: the card would link to this very page.
  const { script, instructions } = installForSite(activity.site, new URL(c.req.url).origin)
  const body = (
    <>
      <p><a href={PATH}>← Все сайты</a></p>
      <h1>Установка: {activity.site.name}</h1>
      <p class="hint">{activity.site.domain}</p>
      <ActivityCard activity={activity} />
      <InstallCard install={{ script, instructions }} />
    </>
  )
  return renderPage(c, { title: `Установка: ${activity.site.name}`, section: 'sites' }, body)
}

/** Установка: the account's sites with their widget's state; each site's snippet and activity. */
export const installPages = createRouter()
installPages.get('/', async (c) => {
  const db = createDb(c.env.DB)
  const { query, cursor } = readRawDataQuery(c)
  const page = await listSitesWithLastHit(db, visitShards(c.env), c.get('accountId'), { cursor, limit: PAGE_SIZE })
  const now = new Date()
  const body = (
    <>
      <h1>Установка</h1>
      <p class="hint">
        Сайты клиники и виджет на каждом: пришёл ли первый визит и когда был последний.
      </p>
      {page.rows.length === 0 ? (
        <p class="notice info">
          Сайтов пока нет: добавьте сайт в кабинете сквозной аналитики, и здесь появится код
          для него.
        </p>
      ) : (
        <table id="sites">
          <thead>
            <tr>
              <th>Сайт</th><th>Домен</th><th>Состояние</th><th>Последний визит</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((site) => {
              const state = siteState(site.lastHit, now)
              return (
                <tr data-site={site.id}>
                  <td><a href={`${PATH}/${site.id}`}>{site.name}</a></td>
                  <td>{site.domain}</td>
                  <td class="state" data-state={state.key}>{state.label}</td>
                  <td class="nowrap">{formatDateTime(site.lastHit)}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      <Pager path={PATH} query={query} next={page.next} />
    </>
  )
  return renderPage(c, { title: 'Установка', section: 'sites' }, body)
})
installPages.get('/:id', sitePage)
