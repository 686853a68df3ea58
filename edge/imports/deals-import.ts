import {
  dealsWithUnknownAmount,
  dealWrites,
  findDeals,
  setUnknownAmount,
  type DealPlan,
} from '../db/deals'
import { advanceRun } from '../db/imports'
import { ensurePipeline, ensureStages, type PipelineWithStages } from '../db/pipelines'
import { PAGE_LIMIT, type MedodsApi } from '../medods/client'
import { MedodsResponseError, MedodsUnavailableError } from '../medods/errors'
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
} from './deals-transform'
import {
  atRunCeiling,
  endOfList,
  nextOffset,
  oncePerRun,
  peopleOf,
  sliceIsFull,
  unique,
  type SliceContext,
} from './slices'

/** A page's most Medods calls: the list, then per appointment its order, order lines, client, doctor. */
const CALLS_PER_PAGE = 1 + 4 * PAGE_LIMIT

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
  if (run.pages === 0) await revisitUnknownAmounts(ctx)
  let pages = 0
  for await (const page of medods.appointments(
    { updatedAtAfter: run.updatedAtAfter },
    run.nextOffset
  )) {
    const appointments = [...new Map(page.items.map((a) => [a.id, a])).values()]
    const people = await peopleOf(ctx, appointments, oncePerRun(run))
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
          appointment.userId != null ? (people.doctors.get(appointment.userId) ?? null) : null
        const order = orders.get(appointment.id)!
        const title = dealTitle(appointment, doctor, order.services)
        const draft = toDealDraft(appointment, { title, amount: order.amount }, integration.timeZone)
        const stage = pipeline.stages.get(appointment.status)!
        return planDeal(draft, known.get(appointment.id), stage, scopeOf(ctx))
      })
      .filter((plan): plan is DealPlan => plan !== null)
    await db.batch([
      advanceRun(db, run.id, nextOffset(page), {
        pages: 1,
        fetched: page.items.length,
        stored: plans.length,
        malformed: page.skipped.length,
        amountUnknown: [...orders.values()].filter((o) => o.amount === null).length,
      }),
      ...people.writes,
      ...dealWrites(db, plans, ctx.now),
    ])
    pages++
    if (endOfList(page) || atRunCeiling(ctx, pages)) break
    if (sliceIsFull(ctx, pages, CALLS_PER_PAGE)) return { more: true }
  }
  return { more: false }
}

/** How long, and how many per run, deals left without an amount by a fault are read again. */
const REVISIT_DAYS = 14
const REVISITS_PER_RUN = 50

/**
 * An order Medods could not serve during one run is not in the next run's changed appointments, so
 * each run starts by reading again the orders of earlier deals still without an amount (an order and
 * its lines each: two calls).
 */
async function revisitUnknownAmounts(ctx: SliceContext) {
  const since = new Date(ctx.now.getTime() - REVISIT_DAYS * 86_400_000)
  const unknown = await dealsWithUnknownAmount(ctx.db, ctx.integration.id, since, REVISITS_PER_RUN)
  const found = []
  for (const deal of unknown) {
    const { amount } = await readOrderOrUnknown(ctx.medods, deal.medodsOrderId!)
    if (amount !== null) found.push(setUnknownAmount(ctx.db, deal.id, amount))
  }
  const [first, ...rest] = found
  if (first) await ctx.db.batch([first, ...rest])
}

const scopeOf = (ctx: SliceContext) => ({
  accountId: ctx.integration.accountId,
  integrationId: ctx.integration.id,
  now: ctx.now,
  newId: () => crypto.randomUUID(),
})

/**
 * The amount and services of each appointment's order: 0 without an order. An order (or its lines)
 * Medods keeps failing to serve or refuses with a status (404 included) leaves the amount unknown
 * (null); a refused key or an answer cut short stops the page, so the queue retries it.
 */
async function readOrders(medods: MedodsApi, appointments: Appointment[]) {
  const reads = new Map<number, OrderRead>()
  for (const appointment of appointments) {
    const orderId = appointment.orderId
    const read = orderId == null ? { amount: 0, services: [] } : await readOrderOrUnknown(medods, orderId)
    reads.set(appointment.id, read)
  }
  return reads
}

async function readOrderOrUnknown(medods: MedodsApi, orderId: number): Promise<OrderRead> {
  try {
    return await readOrder(medods, orderId)
  } catch (err) {
    if (!(err instanceof MedodsUnavailableError || isRefusal(err))) throw err
    return { amount: null, services: [] }
  }
}

/** A status Medods gave for this one record (404, 422…): retrying the page would not change it. */
const isRefusal = (err: unknown) => err instanceof MedodsResponseError && err.status !== 200

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
