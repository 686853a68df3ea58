import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createMedodsSandbox, ONLINE_SOURCE_ID } from '../../sandbox/medods'
import { runImportJob } from '../../edge/imports/run'
import { captureImportJobs, importAll, importDeps, setUpClinic } from './support/import-fixtures'
import { sandboxFetch } from './support/medods-sandbox'

// Item 1 of issue 16: one bad record costs that record, never its page or the runs after it.

type Listed = { data: { id: number; appointmentSourceId?: number; createdAt?: unknown }[] }

/** The sandbox, but the first online booking of every appointments page carries `createdAt`. */
function withBadCreatedAt(sandbox: ReturnType<typeof createMedodsSandbox>, createdAt: unknown) {
  const inner = sandboxFetch(sandbox)
  const spoiled: number[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const res = await inner(input, init)
    if (!new URL(String(input)).pathname.endsWith('/appointments') || !res.ok) return res
    const body = (await res.json()) as Listed
    const online = body.data.find((a) => a.appointmentSourceId === ONLINE_SOURCE_ID)
    if (online) {
      online.createdAt = createdAt
      spoiled.push(online.id)
    }
    return Response.json(body)
  }
  return { fetch, spoiled }
}

async function runOf(id: string) {
  return env.DB.prepare('SELECT status, stored, malformed, error FROM import_runs WHERE id = ?').bind(id).first()
}

describe('a record whose dates are out of range', () => {
  it.each([1e13, '19999-01-01T00:00:00Z', -5])('(createdAt %s) is skipped and counted; its page is kept', async (bad) => {
    const counts = { clients: 30, appointments: 250 }
    const clean = await setUpClinic(`acc-degrade-clean-${bad}`)
    const cleanRun = await runOf(await importAll(importDeps(createMedodsSandbox({ counts })), clean.integrationId))

    const { integrationId } = await setUpClinic(`acc-degrade-${bad}`)
    const spoilt = withBadCreatedAt(createMedodsSandbox({ counts }), bad)
    const runId = await importAll(importDeps(createMedodsSandbox({ counts }), { fetch: spoilt.fetch }), integrationId)
    const run = await runOf(runId)

    expect(spoilt.spoiled.length).toBeGreaterThan(0)
    expect(run).toMatchObject({ status: 'succeeded', error: null, malformed: spoilt.spoiled.length })
    expect(run!.stored).toBe(Number(cleanRun!.stored) - spoilt.spoiled.length)
    const skipped = await env.DB.prepare(
      `SELECT count(*) AS n FROM requests WHERE integration_id = ? AND medods_appointment_id IN (${spoilt.spoiled.join(',')})`
    )
      .bind(integrationId)
      .first<{ n: number }>()
    expect(skipped!.n).toBe(0)
  })
})

describe('an order Medods answers in another shape, with its lines not served', () => {
  it('leaves those amounts unknown, counted, and the deals run succeeds', async () => {
    const sandbox = createMedodsSandbox({ counts: { clients: 30, appointments: 120 } })
    const { integrationId } = await setUpClinic('acc-degrade-orders', { sendDeals: true })
    const inner = sandboxFetch(sandbox)
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const path = new URL(String(input)).pathname
      if (path.endsWith('/entries')) return Response.json({ errors: ['not found'] }, { status: 404 })
      const res = await inner(input, init)
      if (!path.includes('/orders/') || !res.ok) return res
      const { id, clientId } = (await res.json()) as { id: number; clientId: number }
      return Response.json({ id, clientId, paidSum: 100, status: 'paid' })
    }
    const job = { kind: 'deals' as const, integrationId, scheduledAt: Date.now() }
    await importDeals(importDeps(sandbox, { fetch }), integrationId, job.scheduledAt)
    const run = await env.DB.prepare('SELECT status, error, amount_unknown AS unknown FROM import_runs WHERE id = ?')
      .bind(`cron:deals:${integrationId}:${job.scheduledAt}`)
      .first<{ status: string; error: string | null; unknown: number }>()
    const deals = await env.DB.prepare(
      `SELECT count(*) AS n, sum(amount IS NULL) AS unknown FROM deals
       WHERE integration_id = ? AND medods_order_id IS NOT NULL`
    )
      .bind(integrationId)
      .first<{ n: number; unknown: number }>()
    expect(deals!.n).toBeGreaterThan(0)
    expect(deals!.unknown).toBe(deals!.n)
    expect(run).toEqual({ status: 'succeeded', error: null, unknown: deals!.n })

    // The faults clear: the next run reads those orders again, and the amounts equal a fault-free import.
    await importDeals(importDeps(sandbox), integrationId, Date.now() + 1)
    const clean = await setUpClinic('acc-degrade-orders-clean', { sendDeals: true })
    await importDeals(importDeps(sandbox), clean.integrationId, Date.now() + 2)
    expect(await amountsOf(integrationId)).toEqual(await amountsOf(clean.integrationId))
    expect(Object.values(await amountsOf(integrationId))).not.toContain(null)
  })
})

async function importDeals(deps: ReturnType<typeof importDeps>, integrationId: string, scheduledAt: number) {
  const { jobs, spy } = captureImportJobs()
  try {
    await runImportJob(deps, { kind: 'deals', integrationId, scheduledAt })
    while (jobs.length > 0) await runImportJob(deps, jobs.shift()!)
  } finally {
    spy.mockRestore()
  }
}

async function amountsOf(integrationId: string) {
  const { results } = await env.DB.prepare(
    'SELECT medods_appointment_id AS id, amount FROM deals WHERE integration_id = ? AND medods_order_id IS NOT NULL'
  )
    .bind(integrationId)
    .all<{ id: number; amount: number | null }>()
  return Object.fromEntries(results.map((row) => [row.id, row.amount]))
}
