import { findDeals, dealWrites } from '../db/deals'
import { advanceRun } from '../db/imports'
import { cachedPatients, cachedUsers, upsertPatients, upsertUsers } from '../db/medods-cache'
import { ensurePipeline, ensureStages, type PipelineWithStages } from '../db/pipelines'
import type { ImportRun } from '../db/schema'
import { PAGE_LIMIT, type MedodsApi, type Page } from '../medods/client'
import { MedodsUnavailableError } from '../medods/errors'
import type { Appointment } from '../medods/schema'
import {
  dealTitle,
  entriesAmount,
  MEDODS_PIPELINE,
  MEDODS_STAGES,
  orderAmount,
  planDeal,
  stageForUnknownStatus,
  toDealDraft,
  type DealPlan,
} from './deals-transform'
import type { SliceContext } from './requests-import'
import { fullName } from './transform'

/** Workers allow 1,000 subrequests per invocation (paid plan) and every Medods call is one. */
const MEDODS_CALLS_PER_INVOCATION = 900
/** A page's most calls: the list, then per appointment its order, order lines, client, doctor. */
const WORST_CASE_CALLS_PER_PAGE = 1 + 4 * PAGE_LIMIT

type OrderRead = { amount: number | null; services: string[] }

/**
 * Imports deals from every appointment Medods changed since the run's cursor, page by page. Each
 * page is committed in one atomic D1 batch with the run's new offset, so a failure resumes at the
 * first uncommitted page. A slice stops early when the next page could exceed the invocation's
 * subrequests.
 */
export async function importDealsSlice(ctx: SliceContext): Promise<{ more: boolean }> {
  const { db, medods, integration, run } = ctx
  const pipeline = await ensurePipeline(db, integration, MEDODS_PIPELINE, MEDODS_STAGES)
  let pages = 0
  for await (const page of medods.appointments(
    { updatedAtAfter: run.updatedAtAfter },
    run.nextOffset
  )) {
    const appointments = [...new Map(page.items.map((a) => [a.id, a])).values()]
    const doctors = await refreshPeople(ctx, appointments)
    const orders = await readOrders(medods, appointments)
    await addUnknownStages(ctx, pipeline, appointments)
    const known = await findDeals(
      db,
      integration.id,
      appointments.map((a) => a.id)
    )
    const plans = appointments
      .map((appointment) => {
        const doctor =
          appointment.userId != null ? (doctors.names.get(appointment.userId) ?? null) : null
        const order = orders.get(appointment.id)!
        const title = dealTitle(appointment, doctor, order.services)
        const draft = toDealDraft(appointment, { title, amount: order.amount })
        const stage = pipeline.stages.get(appointment.status)!
        return planDeal(draft, known.get(appointment.id), stage, scopeOf(ctx))
      })
      .filter((plan): plan is DealPlan => plan !== null)
    await db.batch([
      advanceRun(db, run.id, page.offset + page.items.length + page.skipped.length, {
        pages: 1,
        fetched: page.items.length,
        stored: plans.length,
        malformed: page.skipped.length,
        amountUnknown: [...orders.values()].filter((o) => o.amount === null).length,
      }),
      ...doctors.writes,
      ...dealWrites(db, plans, ctx.now),
    ])
    pages++
    if (endOfList(page)) break
    const budgetLeft = MEDODS_CALLS_PER_INVOCATION - medods.stats.requests
    if (pages >= ctx.maxPages || budgetLeft < WORST_CASE_CALLS_PER_PAGE) return { more: true }
  }
  return { more: false }
}

const scopeOf = (ctx: SliceContext) => ({
  accountId: ctx.integration.accountId,
  integrationId: ctx.integration.id,
  now: ctx.now,
  newId: () => crypto.randomUUID(),
})

const endOfList = (page: Page<Appointment>) =>
  page.items.length + page.skipped.length === 0 ||
  page.offset + page.items.length + page.skipped.length >= page.totalItems

/**
 * Written by an earlier run (or not at all): Medods is asked again, once per run, so renames reach
 * deals.
 */
const isStale = (row: { updatedAt: Date } | undefined, run: ImportRun) =>
  !row || row.updatedAt.getTime() <= run.createdAt.getTime()

/**
 * Contacts (Medods clients) and managers (Medods users) of the page, refreshed once per run into
 * the shared cache (upserts keyed by integration and Medods id). Answers the doctors' names and the
 * writes.
 */
async function refreshPeople(ctx: SliceContext, appointments: Appointment[]) {
  const { db, medods, integration, run } = ctx
  const patientIds = unique(appointments.map((a) => a.clientId))
  const doctorIds = unique(appointments.map((a) => a.userId))
  const patients = await cachedPatients(db, integration.id, patientIds)
  const doctors = await cachedUsers(db, integration.id, doctorIds)
  const names = new Map([...doctors].map(([id, row]) => [id, row.name]))

  const fetchedPatients = []
  for (const id of patientIds.filter((id) => isStale(patients.get(id), run))) {
    const patient = await medods.client(id)
    if (patient) {
      fetchedPatients.push({
        medodsId: id,
        name: fullName(patient),
        phone: patient.phone,
        email: patient.email,
      })
    }
  }
  const fetchedDoctors = []
  for (const id of doctorIds.filter((id) => isStale(doctors.get(id), run))) {
    const user = await medods.user(id)
    if (!user) continue
    fetchedDoctors.push({ medodsId: id, name: fullName(user) })
    names.set(id, fullName(user))
  }
  const writes = [
    ...upsertPatients(db, integration.id, fetchedPatients),
    ...upsertUsers(db, integration.id, fetchedDoctors),
  ]
  return { names, writes }
}

/**
 * The amount and services of each appointment's order: 0 without an order. An order Medods keeps
 * failing to serve (retries spent), or does not serve at all, leaves the amount unknown (null);
 * other errors stop the page, so the queue retries it.
 */
async function readOrders(medods: MedodsApi, appointments: Appointment[]) {
  const reads = new Map<number, OrderRead>()
  for (const appointment of appointments) {
    const orderId = appointment.orderId
    if (orderId == null) {
      reads.set(appointment.id, { amount: 0, services: [] })
      continue
    }
    try {
      reads.set(appointment.id, await readOrder(medods, orderId))
    } catch (err) {
      if (!(err instanceof MedodsUnavailableError)) throw err
      reads.set(appointment.id, { amount: null, services: [] })
    }
  }
  return reads
}

async function readOrder(medods: MedodsApi, orderId: number): Promise<OrderRead> {
  const order = await medods.order(orderId)
  if (!order) return { amount: null, services: [] }
  const services = (order.entries ?? []).flatMap((entry) => (entry.title ? [entry.title] : []))
  const amount = orderAmount(order)
  if (amount !== undefined) return { amount, services }
  const entries = []
  for await (const page of medods.entries({ orderId })) entries.push(...page.items)
  const titles = entries.flatMap((entry) => (entry.title ? [entry.title] : []))
  return { amount: entriesAmount(entries), services: titles }
}

/** Statuses Medods did not document become in-process stages, ordered after the known ones. */
async function addUnknownStages(
  ctx: SliceContext,
  pipeline: PipelineWithStages,
  appointments: Appointment[]
) {
  const unknown = unique(appointments.map((a) => a.status)).filter((s) => !pipeline.stages.has(s))
  if (unknown.length === 0) return
  const last = Math.max(...[...pipeline.stages.values()].map((stage) => stage.order))
  const specs = unknown.map((status, i) => stageForUnknownStatus(status, last + 10 * i))
  pipeline.stages = await ensureStages(ctx.db, pipeline.id, specs)
}

const unique = <T>(values: (T | null | undefined)[]) => [
  ...new Set(values.filter((v): v is T => v !== null && v !== undefined)),
]
