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
import type { MedodsError } from '../medods/errors'
import type { Appointment } from '../medods/schema'
import type { AmountSource, RunDetails } from '../db/schema'
import {
  amountSourceOf,
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
  isRecordFault,
  lastSlice,
  nextOffset,
  oncePerRun,
  peopleOf,
  sliceIsFull,
  unique,
  withSkipped,
  type SliceContext,
  type SliceResult,
} from './slices'

/** A page's most Medods calls: the list, then per appointment its order, order lines, client, doctor. */
const CALLS_PER_PAGE = 1 + 4 * PAGE_LIMIT

/**
 * What one appointment's order gave: the amount (null = unknown), its services, where the amount came
 * from, or why it is unknown.
 */
type OrderRead = { amount: number | null; services: string[]; from?: AmountSource; unknownBecause?: string }

/**
 * Imports deals from every appointment Medods changed since the run's cursor, page by page. Each
 * page is committed in one atomic D1 batch with the run's new offset, so a failure resumes at the
 * first uncommitted page. A slice stops early when the next page could exceed the invocation's
 * subrequests.
 */
export async function importDealsSlice(ctx: SliceContext): Promise<SliceResult> {
  const { db, medods, integration, run } = ctx
  const pipeline = await ensurePipeline(db, integration, MEDODS_PIPELINE, MEDODS_STAGES)
  if (run.pages === 0) await revisitUnknownAmounts(ctx)
  let pages = 0
  let details = run.details
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
    details = withOrders(withSkipped(details, page.skipped), [...orders.values()])
    const counters = {
      pages: 1,
      fetched: page.items.length,
      stored: plans.length,
      malformed: page.skipped.length,
      amountUnknown: [...orders.values()].filter((o) => o.amount === null).length,
    }
    await db.batch([
      advanceRun(db, run.id, nextOffset(page), counters, details),
      ...people.writes,
      ...dealWrites(db, plans, ctx.now),
    ])
    pages++
    if (endOfList(page) || atRunCeiling(ctx, pages)) break
    if (sliceIsFull(ctx, pages, CALLS_PER_PAGE)) return { more: true, details }
  }
  return lastSlice(ctx, details, pages)
}

/** The run's details with a page's orders counted by where their amount came from, and the first reason one is unknown. */
function withOrders(details: RunDetails, reads: OrderRead[]): RunDetails {
  const amountFrom = { ...details.amountFrom }
  for (const read of reads) if (read.from) amountFrom[read.from] = (amountFrom[read.from] ?? 0) + 1
  const reason = details.amountUnknownReason ?? reads.find((read) => read.unknownBecause)?.unknownBecause
  return { ...details, amountFrom, ...(reason ? { amountUnknownReason: reason } : {}) }
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
    if (amount !== null) found.push(setUnknownAmount(ctx.db, deal.id, amount, ctx.now))
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
    const read: OrderRead =
      orderId == null ? { amount: 0, services: [], from: 'no_order' } : await readOrderOrUnknown(medods, orderId)
    reads.set(appointment.id, read)
  }
  return reads
}

async function readOrderOrUnknown(medods: MedodsApi, orderId: number): Promise<OrderRead> {
  try {
    return await readOrder(medods, orderId)
  } catch (err) {
    if (!isRecordFault(err)) throw err
    const { code, message } = err as MedodsError
    return { amount: null, services: [], unknownBecause: `order ${orderId}: ${code} (${message})` }
  }
}

async function readOrder(medods: MedodsApi, orderId: number): Promise<OrderRead> {
  const order = await medods.order(orderId)
  if (!order) return { amount: null, services: [], unknownBecause: `order ${orderId}: not found or not understood` }
  const services = (order.entries ?? []).flatMap((entry) => (entry.title ? [entry.title] : []))
  const amount = orderAmount(order)
  if (amount !== undefined) return withReason(orderId, { amount, services, from: amountSourceOf(order) })
  const entries = []
  for await (const page of medods.entries({ orderId })) entries.push(...page.items)
  const titles = entries.flatMap((entry) => (entry.title ? [entry.title] : []))
  return withReason(orderId, { amount: entriesAmount(entries), services: titles, from: 'lines' })
}

/** An amount refused as not believable (`sane`) says so. */
const withReason = (orderId: number, read: OrderRead): OrderRead =>
  read.amount === null ? { ...read, unknownBecause: `order ${orderId}: amount not believable (${read.from})` } : read

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
