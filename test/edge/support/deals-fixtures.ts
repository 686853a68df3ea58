import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import type { ImportJob } from '../../../edge/imports/jobs'
import { runImportJob, type ImportDeps } from '../../../edge/imports/run'
import { DEMO_KEY, type MedodsSandbox, type SandboxKey } from '../../../sandbox/medods'
import { send } from '../settings-helpers'
import { captureImportJobs } from './import-fixtures'
import { recordingSleep, SANDBOX_UID, sandboxFetch } from './medods-sandbox'

export type DealItem = {
  id: string
  integrationId: string
  pipelineId: string
  medodsAppointmentId: number
  title: string
  amount: number | null
  currency: string
  stage: { id: string; title: string; kind: string; order: number; medodsStatus: string }
  contact: { medodsClientId: number; name: string; phones: string[]; emails: string[] } | null
  manager: { medodsUserId: number; name: string } | null
  requestId: string | null
  createdAt: string
  createdAtKnown: boolean
  modifiedAt: string
  stageChangedAt: string
  closedAt: string | null
  history?: { fromStageId: string | null; toStageId: string; at: string }[]
}

/**
 * A deals-only integration against the sandbox, looking back a year so every seeded appointment
 * counts.
 */
export async function createDealsIntegration(
  account: string,
  key: SandboxKey = DEMO_KEY,
  over = {}
) {
  const reply = await send(account, 'POST', '/api/v1/integrations', {
    uid: SANDBOX_UID,
    identity: key.identity,
    secretKey: key.secretKey,
    sendDeals: true,
    lookbackDays: 365,
    ...over,
  })
  if (reply.status !== 201) throw new Error(`integration not created: ${reply.text}`)
  return reply.body.id as string
}

/** Import deps wired to the sandbox in memory; `waits` records each retry's sleep. */
export function dealsDeps(sandbox: MedodsSandbox, over: Partial<ImportDeps> = {}) {
  const { waits, sleep } = recordingSleep()
  const deps: ImportDeps = { env, fetch: sandboxFetch(sandbox), sleep, ...over }
  return { deps, waits }
}

/** Runs a job and every continuation it enqueues, as the queue would. Answers the run row. */
export async function runToEnd(deps: ImportDeps, first: ImportJob) {
  const { jobs, spy } = captureImportJobs()
  try {
    let job: ImportJob | undefined = first
    for (let slice = 0; job && slice < 50; slice++) {
      await runImportJob(deps, job)
      job = jobs.shift()
    }
  } finally {
    spy.mockRestore()
  }
  const runId = first.runId ?? `cron:${first.kind}:${first.integrationId}:${first.scheduledAt}`
  return (await runRow(runId))!
}

/** A cron deals run; each call needs its own `scheduledAt`, as each day's cron has. */
export const cronDeals = (deps: ImportDeps, integrationId: string, scheduledAt: number) =>
  runToEnd(deps, { kind: 'deals', integrationId, scheduledAt })

/** "Run now" with a backfill from long ago, so every appointment is read again. */
export async function rerunAllDeals(deps: ImportDeps, account: string, integrationId: string) {
  const { jobs, spy } = captureImportJobs()
  const since = new Date(Date.now() - 400 * 86_400_000).toISOString()
  const reply = await send(account, 'POST', `/api/v1/integrations/${integrationId}/run`, {
    kind: 'deals',
    since,
  })
  spy.mockRestore()
  expect(reply.status).toBe(202)
  return runToEnd(deps, jobs[0]!)
}

export const runRow = (id: string) =>
  env.DB.prepare('SELECT * FROM import_runs WHERE id = ?').bind(id).first<Record<string, any>>()

/** Every deal the account sees through the API, walking the cursor. */
export async function dealsOf(account: string, query = '', limit = 200) {
  const items: DealItem[] = []
  let cursor: string | null = null
  do {
    const page: any = await send(
      account,
      'GET',
      `/api/v1/deals?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`
    )
    expect(page.status).toBe(200)
    items.push(...page.body.data)
    cursor = page.body.nextCursor
  } while (cursor)
  return items
}

export const byAppointment = (deals: DealItem[]) =>
  new Map(deals.map((d) => [d.medodsAppointmentId, d]))
