import { env } from 'cloudflare:workers'
import { randomSecret, send } from '../settings-helpers'

// Rows for the cabinet API tests. The catalogue and the integration go through the API; imported
// rows (runs, requests, pipelines, deals) are written into D1 directly: the importer has its tests.

export type Account = {
  id: string
  siteId: string
  campaignId: string
  sourceId: string
  integrationId: string
  pipelineId: string
  stageId: string
}

async function created(account: string, path: string, body: unknown): Promise<string> {
  const reply = await send(account, 'POST', path, body)
  if (reply.status !== 201) throw new Error(`POST ${path} answered ${reply.status}: ${reply.text}`)
  return reply.body.id
}

/** An account with a site, a campaign, a source, an integration and a pipeline with one stage. */
export async function setUpAccount(id: string): Promise<Account> {
  const host = id.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  const siteId = await created(id, '/api/v1/sites', { name: 'Клиника', domain: `${host}.ru` })
  const campaignId = await created(id, '/api/v1/campaigns', { name: 'Директ', utmSource: 'yandex' })
  const sourceId = await created(id, '/api/v1/sources', { name: 'Телефон' })
  const integrationId = await created(id, '/api/v1/integrations', {
    uid: `https://${host}.medods.ru/`,
    identity: `identity-${host}`,
    secretKey: randomSecret(),
  })
  const account = { id, siteId, campaignId, sourceId, integrationId, pipelineId: '', stageId: '' }
  account.pipelineId = crypto.randomUUID()
  account.stageId = crypto.randomUUID()
  await env.DB.batch([
    ...pipelineRow(account, Date.now(), account.pipelineId),
    env.DB.prepare(
      `INSERT INTO pipeline_stages (id, pipeline_id, medods_status, title, kind, sort_order)
       VALUES (?, ?, 'approved', 'Подтвержден', 'in_process', 10)`
    ).bind(account.stageId, account.pipelineId),
  ])
  return account
}

let appointmentNo = 0

type RowMaker = (account: Account, at: number, id: string) => D1PreparedStatement[]

const pipelineRow: RowMaker = (a, at, id) => [
  env.DB.prepare(
    `INSERT INTO pipelines (id, account_id, integration_id, key, name, created_at)
     VALUES (?, ?, ?, ?, 'Medods', ?)`
  ).bind(id, a.id, a.integrationId, `key-${id}`, at),
]

/** One request row; `over` sets columns by their SQL names. */
export function requestRow(a: Account, at: number, id: string, over: Record<string, unknown> = {}) {
  const columns: Record<string, unknown> = {
    id,
    account_id: a.id,
    integration_id: a.integrationId,
    medods_appointment_id: ++appointmentNo,
    created_at: at,
    created_at_known: 1,
    match_method: 'default',
    candidates: 0,
    campaign_id: a.campaignId,
    imported_at: at,
    ...over,
  }
  const names = Object.keys(columns)
  return env.DB.prepare(
    `INSERT INTO requests (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`
  ).bind(...names.map((name) => columns[name]))
}

/** How to add one row, at a given time, to each list of the API (keyed by the list's path). */
export const ROW_MAKERS: Record<string, RowMaker> = {
  '/api/v1/sites': (a, at, id) => [
    env.DB.prepare(
      `INSERT INTO sites (id, account_id, name, domain, site_key, created_at, updated_at)
       VALUES (?, ?, 'Филиал', 'branch.ru', ?, ?, ?)`
    ).bind(id, a.id, `key-${id}`, at, at),
  ],
  '/api/v1/campaigns': (a, at, id) => [
    env.DB.prepare(
      `INSERT INTO campaigns (id, account_id, name, created_at, updated_at)
       VALUES (?, ?, 'Акция', ?, ?)`
    ).bind(id, a.id, at, at),
  ],
  '/api/v1/sources': (a, at, id) => [
    env.DB.prepare(
      `INSERT INTO sources (id, account_id, name, created_at, updated_at)
       VALUES (?, ?, 'Сарафан', ?, ?)`
    ).bind(id, a.id, at, at),
  ],
  '/api/v1/integrations': (a, at, id) => [
    env.DB.prepare(
      `INSERT INTO integrations
         (id, account_id, kind, uid, identity, secret_key_enc, created_at, updated_at)
       VALUES (?, ?, 'medods', 'https://other.medods.ru', 'other', 'v1.unused', ?, ?)`
    ).bind(id, a.id, at, at),
  ],
  '/api/v1/import-runs': (a, at, id) => [
    env.DB.prepare(
      `INSERT INTO import_runs
         (id, account_id, integration_id, kind, trigger, status, updated_at_after, created_at)
       VALUES (?, ?, ?, 'requests', 'cron', 'succeeded', ?, ?)`
    ).bind(id, a.id, a.integrationId, Math.floor(at / 1000), at),
  ],
  // Alternately attributed to the campaign and to the source + site, as the ladder's defaults are.
  '/api/v1/requests': (a, at, id) => [
    appointmentNo % 2
      ? requestRow(a, at, id)
      : requestRow(a, at, id, { campaign_id: null, source_id: a.sourceId, site_id: a.siteId }),
  ],
  '/api/v1/pipelines': pipelineRow,
  '/api/v1/deals': (a, at, id) => [
    env.DB.prepare(
      `INSERT INTO deals (id, account_id, integration_id, medods_appointment_id, pipeline_id,
         stage_id, title, created_at, created_at_known, modified_at, stage_changed_at)
       VALUES (?, ?, ?, ?, ?, ?, 'Первичный прием', ?, 1, ?, ?)`
    ).bind(id, a.id, a.integrationId, ++appointmentNo, a.pipelineId, a.stageId, at, at, at),
  ],
}

export function rowMakerFor(listPath: string): RowMaker {
  const make = ROW_MAKERS[listPath]
  if (!make) throw new Error(`no row maker for ${listPath}: add one in test/edge/support/api-rows`)
  return make
}

/** Adds one row per time to the list at `listPath`; answers their ids in the same order. */
export async function insertRows(listPath: string, account: Account, times: number[]) {
  const make = rowMakerFor(listPath)
  const ids = times.map(() => crypto.randomUUID())
  await env.DB.batch(times.flatMap((at, i) => make(account, at, ids[i]!)))
  return ids
}

/** The row of this account a route with `{id}` on this list acts on. */
export function ownIdIn(listPath: string, account: Account): string | undefined {
  const ids: Record<string, string> = {
    '/api/v1/sites': account.siteId,
    '/api/v1/campaigns': account.campaignId,
    '/api/v1/sources': account.sourceId,
    '/api/v1/integrations': account.integrationId,
    '/api/v1/pipelines': account.pipelineId,
  }
  return ids[listPath]
}
