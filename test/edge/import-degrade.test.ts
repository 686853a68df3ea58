import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createMedodsSandbox, ONLINE_SOURCE_ID, type MedodsSandbox } from '../../sandbox/medods'
import { noFaults } from '../../sandbox/medods/faults'
import { runImportJob } from '../../edge/imports/run'
import { captureImportJobs, importAll, importDeps, setUpClinic, requestsDataset as dataset } from './support/import-fixtures'
import { api } from './helpers'

// Item 1 of issue 16: one bad record costs that record, never its page or the runs after it.

/** One clinic clock for the sandboxes of this file, so two of them are the same clinic. */
const CLOCK = Date.now()
const COUNTS = { clients: 30, appointments: 250 }
const sandboxAt = () => createMedodsSandbox({ now: () => CLOCK, counts: COUNTS })

async function runOf(id: string) {
  return env.DB.prepare('SELECT status, stored, malformed, error FROM import_runs WHERE id = ?').bind(id).first()
}


/** Online bookings spread over the list's pages: every 25th one. */
const spread = (sandbox: MedodsSandbox) =>
  sandbox.data.appointments
    .filter((a) => a.appointmentSourceId === ONLINE_SOURCE_ID)
    .filter((_, i) => i % 25 === 0)
    .map((a) => a.id)

describe('a record whose dates are out of range', () => {
  it.each([1e13, '19999-01-01T00:00:00Z', -5])('(createdAt %s) is skipped and counted; its page is kept', async (bad) => {
    const clean = await setUpClinic(`acc-degrade-clean-${bad}`)
    const cleanRun = await runOf(await importAll(importDeps(sandboxAt()), clean.integrationId))
    const expected = await dataset(clean.integrationId)

    const { integrationId } = await setUpClinic(`acc-degrade-${bad}`)
    const sandbox = sandboxAt()
    const listed = new Set(expected.map((r) => r.medods_appointment_id))
    const spoiled = spread(sandbox).filter((id) => listed.has(id))
    for (const id of spoiled) sandbox.faults.badCreatedAt.set(id, bad)
    const runId = await importAll(importDeps(sandbox), integrationId)
    const run = await runOf(runId)

    expect(spoiled.length).toBeGreaterThan(0)
    expect(run).toMatchObject({ status: 'succeeded', error: null, malformed: spoiled.length })
    expect(run!.stored).toBe(Number(cleanRun!.stored) - spoiled.length)
    const skipped = await env.DB.prepare(
      `SELECT count(*) AS n FROM requests WHERE integration_id = ? AND medods_appointment_id IN (${spoiled.join(',')})`
    )
      .bind(integrationId)
      .first<{ n: number }>()
    expect(skipped!.n).toBe(0)
    // Every other booking of those pages is stored as a fault-free run stores it.
    expect(await dataset(integrationId)).toEqual(expected.filter((r) => !spoiled.includes(Number(r.medods_appointment_id))))

    // The cursor has passed the skipped ones: they come back once the clinic fixes them, which updates them.
    Object.assign(sandbox.faults, noFaults())
    for (const id of spoiled) sandbox.updateAppointment(id, {})
    await importAll(importDeps(sandbox), integrationId, Date.now() + 1)
    expect(await dataset(integrationId)).toEqual(expected)
  })
})

describe('an order Medods answers in another shape, with its lines not served', () => {
  it('leaves those amounts unknown, counted, and the deals run succeeds', async () => {
    const sandbox = createMedodsSandbox({ counts: { clients: 30, appointments: 120 } })
    const { integrationId } = await setUpClinic('acc-degrade-orders', { sendDeals: true })
    sandbox.faults.orderShape = 'noAmount'
    sandbox.faults.entriesNotServed = true
    const job = { kind: 'deals' as const, integrationId, scheduledAt: Date.now() }
    await importDeals(importDeps(sandbox), integrationId, job.scheduledAt)
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
    const entriesCalls = sandbox.requests.filter((r) => r.path.endsWith('/entries'))
    expect(entriesCalls.length).toBe(deals!.n)
    expect(entriesCalls.every((r) => r.status === 404)).toBe(true)

    // The faults clear: the next run reads those orders again, and the amounts equal a fault-free import.
    Object.assign(sandbox.faults, noFaults())
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

const detailsOf = async (runId: string) =>
  JSON.parse(
    (await env.DB.prepare('SELECT details FROM import_runs WHERE id = ?').bind(runId).first<{ details: string }>())!
      .details
  )

describe('a patient Medods cannot serve', () => {
  it('costs only that booking its name and contacts, and the next run reads it again', async () => {
    // Bookings of the last day: created within the days a failed patient is read again.
    const recent = { lookbackDays: 1 }
    const clean = await setUpClinic('acc-degrade-patient-clean', recent)
    await importAll(importDeps(sandboxAt()), clean.integrationId)
    const expected = await dataset(clean.integrationId)
    const patients = [...new Set(expected.map((r) => Number(r.medods_client_id)))].slice(0, 2)
    expect(patients).toHaveLength(2)

    const { integrationId } = await setUpClinic('acc-degrade-patient', recent)
    const sandbox = sandboxAt()
    sandbox.faults.malformed.add(`clients/${patients[0]}`)
    sandbox.faults.unavailable.add(`clients/${patients[1]}`)
    const runId = await importAll(importDeps(sandbox), integrationId)
    const run = await runOf(runId)
    expect(run).toMatchObject({ status: 'succeeded', error: null, stored: expected.length })
    const blank = (await dataset(integrationId)).filter((r) => patients.includes(Number(r.medods_client_id)))
    expect(blank.length).toBeGreaterThan(0)
    expect(blank.every((r) => !r.name && r.phone === null)).toBe(true)
    expect((await detailsOf(runId)).patientRetryFrom).toEqual(expect.any(Number))

    // Nothing of those bookings changes in Medods; the patients are served again.
    Object.assign(sandbox.faults, noFaults())
    const next = await importAll(importDeps(sandbox), integrationId, Date.now() + 1)
    // Read again from the booking's creation (Medods serves no update time), the run may also bring
    // bookings older than the clean import's lookback; those it shares are stored alike.
    const ids = new Set(expected.map((r) => r.medods_appointment_id))
    expect((await dataset(integrationId)).filter((r) => ids.has(r.medods_appointment_id))).toEqual(expected)
    expect((await detailsOf(next)).patientRetryFrom).toBeUndefined()
  })
})

describe('what a run records beyond its counters', () => {
  it('names the skipped records and says where each deal amount came from, or why it has none', async () => {
    const sandbox = createMedodsSandbox({ now: () => CLOCK, counts: { clients: 30, appointments: 120 } })
    const { integrationId } = await setUpClinic('acc-degrade-details', { sendDeals: true })
    const [first] = sandbox.data.appointments
    sandbox.faults.badCreatedAt.set(first!.id, 1e13)
    sandbox.faults.orderShape = 'finalSum'
    const billed = sandbox.data.orders.map((o) => o.id)
    sandbox.faults.ordersNotFound.add(billed[0]!)
    const scheduledAt = Date.now()
    await importDeals(importDeps(sandbox), integrationId, scheduledAt)
    const res = await api('acc-degrade-details', `/api/v1/import-runs?integrationId=${integrationId}`)
    const run = ((await res.json()) as { data: Record<string, any>[] }).data.find((r) => r.kind === 'deals')!
    expect(run.malformedIds).toEqual([`appointments/${first!.id}`])
    expect(run.amountUnknown).toBe(1)
    expect(run.amountUnknownReason).toBe(`order ${billed[0]}: not found or not understood`)
    const deals = await env.DB.prepare(
      `SELECT sum(medods_order_id IS NULL) AS none, sum(medods_order_id IS NOT NULL AND amount IS NOT NULL) AS known
       FROM deals WHERE integration_id = ?`
    )
      .bind(integrationId)
      .first<{ none: number; known: number }>()
    expect(run.amountFrom).toEqual({ total: 0, finalSum: deals!.known, sum: 0, lines: 0, no_order: deals!.none })
  })

  it('moves modifiedAt when a later run finds an amount, so a client following changes sees it', async () => {
    const sandbox = createMedodsSandbox({ now: () => CLOCK, counts: { clients: 30, appointments: 120 } })
    const { integrationId } = await setUpClinic('acc-degrade-modified', { sendDeals: true })
    for (const order of sandbox.data.orders) sandbox.faults.ordersNotFound.add(order.id)
    await importDeals(importDeps(sandbox), integrationId, Date.now())
    const before = await env.DB.prepare('SELECT max(modified_at) AS at FROM deals WHERE integration_id = ?')
      .bind(integrationId)
      .first<{ at: number }>()
    Object.assign(sandbox.faults, noFaults())
    const later = Date.now() + 3_600_000
    await importDeals(importDeps(sandbox, { now: () => new Date(later) }), integrationId, later)
    const filled = await env.DB.prepare(
      'SELECT min(modified_at) AS at, count(*) AS n FROM deals WHERE integration_id = ? AND medods_order_id IS NOT NULL AND amount IS NOT NULL'
    )
      .bind(integrationId)
      .first<{ at: number; n: number }>()
    expect(filled!.n).toBeGreaterThan(0)
    expect(filled!.at).toBeGreaterThan(before!.at)
  })
})
