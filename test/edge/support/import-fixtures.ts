import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { vi } from 'vitest'
import type { IngestMessage } from '../../../edge/collect/wire-schema'
import worker from '../../../edge/index'
import type { ImportJob } from '../../../edge/imports/jobs'
import { runImportJob, type ImportDeps } from '../../../edge/imports/run'
import { DEMO_KEY, type MedodsSandbox } from '../../../sandbox/medods'
import type { WireInput as WirePayload } from '../../../edge/collect/wire-schema'
import type { WireEvent, WireTouch } from '../../../widget/src/wire'
import { send } from '../settings-helpers'
import { recordingSleep, SANDBOX_UID, sandboxFetch } from './medods-sandbox'

export { sha256Hex } from '../../../edge/imports/contacts'

const touch = (over: Partial<WireTouch>, at: number): WireTouch => ({
  t: 'utm',
  s: 'yandex',
  m: 'cpc',
  c: 'implants',
  o: '',
  e: '',
  i: '',
  k: { yclid: '777' },
  l: 'https://clinic.ru/?utm_source=yandex&utm_medium=cpc&utm_campaign=implants&yclid=777',
  r: '',
  a: at,
  ...over,
})

let messageNo = 0

/**
 * A widget visit stored through the real ingest consumer, as the queue delivers it: one session with the
 * given touch and events. Answers the session id. `on`: the Worker's bindings (a test's deployment).
 */
export async function visit(
  siteId: string,
  at: number,
  events: Omit<WireEvent, 'i'>[],
  over: Partial<WireTouch> = {},
  on: Env = env
) {
  const sessionId = crypto.randomUUID()
  const payload: WirePayload = {
    k: 'unused-by-the-consumer',
    v: crypto.randomUUID(),
    s: sessionId,
    b: at,
    u: 'https://clinic.ru/',
    f: touch(over, at),
    c: touch(over, at),
    e: [{ i: crypto.randomUUID(), t: 'pageview', a: at }, ...events.map((e) => ({ i: crypto.randomUUID(), ...e }))],
  }
  const body: IngestMessage = { siteId, receivedAt: Date.now(), payload }
  const batch = createMessageBatch('ingest', [
    { id: `visit-${++messageNo}`, timestamp: new Date(at), attempts: 1, body },
  ])
  await worker.queue(batch, on)
  const result = await getQueueResult(batch, createExecutionContext())
  if (result.retryMessages.length > 0) throw new Error('the ingest consumer refused the visit')
  return sessionId
}

/** An account with a site, a campaign matching yandex/implants, a catch-all default campaign and an integration. */
export async function setUpClinic(account: string, over: Record<string, unknown> = {}) {
  const site = await send(account, 'POST', '/api/v1/sites', { name: 'Клиника', domain: 'clinic.ru' })
  const implants = await send(account, 'POST', '/api/v1/campaigns', {
    name: 'Импланты (Директ)',
    utmSource: 'yandex',
    utmCampaign: 'implants',
  })
  const fallback = await send(account, 'POST', '/api/v1/campaigns', { name: 'Без сессии' })
  const integration = await send(account, 'POST', '/api/v1/integrations', {
    uid: SANDBOX_UID,
    identity: DEMO_KEY.identity,
    secretKey: DEMO_KEY.secretKey,
    sendRequests: true,
    defaultAttribution: { kind: 'campaign', campaignId: fallback.body.id },
    ...over,
  })
  if (integration.status !== 201) throw new Error(`integration not created: ${integration.text}`)
  return {
    siteId: site.body.id as string,
    implantsId: implants.body.id as string,
    fallbackId: fallback.body.id as string,
    integrationId: integration.body.id as string,
  }
}

/** Import deps wired to the sandbox in memory, with sleeps recorded instead of waited. */
export function importDeps(sandbox: MedodsSandbox, over: Partial<ImportDeps> = {}): ImportDeps {
  return { env, fetch: sandboxFetch(sandbox), sleep: recordingSleep().sleep, ...over }
}

/** Captures what the Worker sends to the imports queue instead of letting the queue deliver it. */
export function captureImportJobs() {
  const jobs: ImportJob[] = []
  const spy = vi.spyOn(env.IMPORTS, 'sendBatch').mockImplementation(async (messages) => {
    for (const m of messages) jobs.push(m.body as ImportJob)
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0, oldestMessageTimestamp: new Date(0) } } }
  })
  return { jobs, spy }
}

/**
 * Runs a cron job for the integration to its end, running each continuation it enqueues in turn, as the
 * queue would (captured rather than delivered, so the order is deterministic). Answers the run id.
 */
export async function importAll(deps: ImportDeps, integrationId: string, scheduledAt = Date.now()) {
  const { jobs: queued, spy } = captureImportJobs()
  try {
    let job: ImportJob | undefined = { kind: 'requests', integrationId, scheduledAt }
    for (let slice = 0; job && slice < 100; slice++) {
      await runImportJob(deps, job)
      job = queued.shift()
    }
  } finally {
    spy.mockRestore()
  }
  return `cron:requests:${integrationId}:${scheduledAt}`
}

export type Row = Record<string, unknown>
// Ids and times that differ between two accounts by construction; the rest must be equal.
const VOLATILE = ['id', 'account_id', 'integration_id', 'campaign_id', 'source_id', 'site_id', 'imported_at', 'updated_at']

/** The integration's requests rows minus volatile columns, the campaign by name, by appointment id. */
export async function requestsDataset(integrationId: string): Promise<Row[]> {
  const rows = await env.DB.prepare(
    `SELECT r.*, c.name AS campaign FROM requests r LEFT JOIN campaigns c ON c.id = r.campaign_id
     WHERE r.integration_id = ? ORDER BY r.medods_appointment_id`
  )
    .bind(integrationId)
    .all<Row>()
  return rows.results.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !VOLATILE.includes(k))))
}
