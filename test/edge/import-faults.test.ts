import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ImportJob } from '../../edge/imports/jobs'
import { MAX_ATTEMPTS, runImportJob, type ImportDeps } from '../../edge/imports/run'
import { createMedodsSandbox, DEMO_KEY, ONLINE_SOURCE_ID, type MedodsSandbox } from '../../sandbox/medods'
import { moscowParts } from '../../sandbox/medods/data'
import { captureImportJobs, importAll, importDeps, setUpClinic, requestsDataset as dataset, type Row } from './support/import-fixtures'

/** One clinic clock for every sandbox of this file: the same seed and clock give the same clinic. */
const CLOCK = Date.now()
const COUNTS = { clients: 30, appointments: 600 }
const sandboxAt = () => createMedodsSandbox({ seed: 7, now: () => CLOCK, counts: COUNTS })
const depsFor = (sandbox: MedodsSandbox, over: Partial<ImportDeps> = {}) =>
  importDeps(sandbox, { now: () => new Date(CLOCK), pagesPerInvocation: 2, medodsTimeoutMs: 50, ...over })


/** A fault-free import of the sandbox, in an account of its own: what every faulted run must end with. */
async function reference(account: string, sandbox: MedodsSandbox) {
  const { integrationId } = await setUpClinic(account)
  await importAll(depsFor(sandbox), integrationId)
  const data = await dataset(integrationId)
  expect(data.length).toBeGreaterThan(100)
  return data
}

const runRow = (id: string) => env.DB.prepare('SELECT * FROM import_runs WHERE id = ?').bind(id).first<Row>()

/**
 * Delivers a cron job as the imports queue would: a failed slice is redelivered (up to max_retries), a
 * continuation is delivered after its slice. `afterSlice` runs after each slice that went through.
 */
async function deliverLikeTheQueue(deps: ImportDeps, first: ImportJob, afterSlice: (slice: number) => void) {
  const { jobs, spy } = captureImportJobs()
  let [deliveries, failures, slices] = [0, 0, 0]
  try {
    for (let job: ImportJob | undefined = first, attempt = 1; job && deliveries < 200; deliveries++) {
      try {
        await runImportJob(deps, job, attempt)
        ;[job, attempt] = [jobs.shift(), 1]
        afterSlice(slices++)
      } catch {
        failures++
        if (attempt++ >= MAX_ATTEMPTS) job = jobs.shift()
      }
    }
  } finally {
    spy.mockRestore()
  }
  return { deliveries, failures, slices, runId: `cron:requests:${first.integrationId}:${first.scheduledAt}` }
}

afterEach(() => vi.restoreAllMocks())

describe('Medods faults during an import end with the same data as a fault-free run', () => {
  it('survives a 429 storm, 5xx, timeouts and truncated JSON, slice after slice', async () => {
    const expected = await reference('acc-faults-ref', sandboxAt())
    const sandbox = sandboxAt()
    const { integrationId } = await setUpClinic('acc-faults-storm')
    const { faults } = sandbox
    const schedule: Record<number, () => void> = {
      0: () => (faults.rateLimited = { times: 12, retryAfterSeconds: 30 }),
      1: () => (faults.truncated = { times: 2 }),
      2: () => (faults.serverErrors = { times: 7, status: 502 }),
      3: () => (faults.slow = { times: 3, delayMs: 200 }),
      4: () => (faults.serverErrors = { times: 3, status: 504 }),
    }
    faults.truncated = { times: 1 }
    const job = { kind: 'requests' as const, integrationId, scheduledAt: CLOCK }

    const deps = depsFor(sandbox, { pagesPerInvocation: 1 })
    const outcome = await deliverLikeTheQueue(deps, job, (n) => schedule[n]?.())

    // Every fault was served, and each one cost the run a retry or a redelivery.
    expect(outcome.slices).toBeGreaterThan(5)
    expect([faults.rateLimited, faults.serverErrors, faults.slow, faults.truncated].map((f) => f.times)).toEqual([0, 0, 0, 0])
    expect(sandbox.requests.filter((r) => r.status === 429)).toHaveLength(12)
    expect(sandbox.requests.filter((r) => r.status >= 500)).toHaveLength(10)
    expect(outcome.failures).toBeGreaterThanOrEqual(4)
    const run = (await runRow(outcome.runId))!
    expect(run).toMatchObject({ status: 'succeeded', error: null })
    expect(run.retries).toBeGreaterThan(10)
    expect(await dataset(integrationId)).toEqual(expected)
  }, 60_000)

  it('absorbs data that changes between pages: after the next daily run, the final data, once each', async () => {
    const tomorrow = moscowParts(CLOCK + 86_400_000).date
    const online = (s: MedodsSandbox) =>
      s.data.appointments.filter((a) => a.appointmentSourceId === ONLINE_SOURCE_ID).map((a) => a.id)
    const changes = (s: MedodsSandbox) => [
      () => s.updateAppointment(online(s)[0]!, { status: 'approved' }),
      () => s.book({ doctorId: 160, slot: `${tomorrow} 09:00`, surname: 'Новая', name: 'Запись', phone: '79990001122' }),
      () => s.updateAppointment(online(s).at(-1)!, { status: 'canceled' }),
      () => {
        const offline = s.data.appointments.find((a) => a.appointmentSourceId !== ONLINE_SOURCE_ID)!
        s.updateAppointment(offline.id, { appointmentSourceId: ONLINE_SOURCE_ID })
      },
    ]
    const final = sandboxAt()
    for (const change of changes(final)) change()
    const expected = await reference('acc-changes-ref', final)

    const sandbox = sandboxAt()
    const { integrationId } = await setUpClinic('acc-changes')
    const steps = changes(sandbox)
    const job = { kind: 'requests' as const, integrationId, scheduledAt: CLOCK }
    const { slices } = await deliverLikeTheQueue(depsFor(sandbox, { pagesPerInvocation: 1 }), job, (n) => steps[n]?.())
    expect(slices).toBeGreaterThan(steps.length)
    const afterFirst = await dataset(integrationId)
    expect(new Set(afterFirst.map((r) => r.medods_appointment_id)).size).toBe(afterFirst.length)

    await importAll(depsFor(sandbox, { now: () => new Date(CLOCK + 60_000) }), integrationId, CLOCK + 86_400_000)
    expect(await dataset(integrationId)).toEqual(expected)
  }, 60_000)

  it('stops at once when the key is revoked half-way, and the next run resumes from the stored cursor', async () => {
    const expected = await reference('acc-revoked-ref', sandboxAt())
    const sandbox = sandboxAt()
    const { integrationId } = await setUpClinic('acc-revoked')
    const job = { kind: 'requests' as const, integrationId, scheduledAt: CLOCK }
    const revoked = await deliverLikeTheQueue(depsFor(sandbox), job, (slice) => {
      if (slice === 1) sandbox.faults.revoked.add(DEMO_KEY.identity)
    })

    expect(revoked.failures).toBe(0)
    const failed = (await runRow(revoked.runId))!
    expect(failed).toMatchObject({ status: 'failed', next_offset: 400 })
    expect(failed.error).toMatch(/^key_rejected: Medods rejected the key \(401/)
    const integration = await env.DB.prepare('SELECT * FROM integrations WHERE id = ?').bind(integrationId).first<Row>()
    expect(integration).toMatchObject({ last_error: failed.error, requests_cursor: null })
    const partial = await dataset(integrationId)
    expect(partial.length).toBeGreaterThan(0)
    expect(partial.length).toBeLessThan(expected.length)

    sandbox.faults.revoked.clear()
    const nextDay = CLOCK + 86_400_000
    const resumedRun = await importAll(depsFor(sandbox), integrationId, nextDay)
    const resumed = (await runRow(resumedRun))!
    expect(resumed).toMatchObject({ status: 'succeeded', updated_at_after: failed.updated_at_after })
    expect(await dataset(integrationId)).toEqual(expected)
  }, 60_000)
})
