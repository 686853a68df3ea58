import type { DealPlan } from '../db/deals'
import type { AmountSource, Deal, PipelineStage } from '../db/schema'
import type { Appointment, Entry, Order } from '../medods/schema'
import { parseMedodsTime } from './transform'

/**
 * Medods has no deals resource (medods-api.md §9), so a deal is built here from one appointment and
 * its order. Everything Medods-specific about deals lives in this file and `deals-import.ts`: a
 * native deals endpoint would replace these two and leave the tables and the API alone.
 */

export const MEDODS_PIPELINE = { key: 'medods', name: 'Medods' } as const

type StageSpec = Pick<PipelineStage, 'medodsStatus' | 'title' | 'kind' | 'order'>

/** The statuses as stages, in the order a visit goes through them (medods-api.md §9). */
export const MEDODS_STAGES: StageSpec[] = [
  { medodsStatus: 'need_approval', title: 'Не подтвержден', kind: 'in_process', order: 10 },
  {
    medodsStatus: 'confirmed_by_administrator',
    title: 'Подтвержден администратором',
    kind: 'in_process',
    order: 20,
  },
  { medodsStatus: 'approved', title: 'Подтвержден', kind: 'in_process', order: 30 },
  { medodsStatus: 'arrived', title: 'Клиент пришел', kind: 'in_process', order: 40 },
  { medodsStatus: 'serviced', title: 'Прием завершен', kind: 'in_process', order: 50 },
  { medodsStatus: 'billed', title: 'Счет выставлен', kind: 'in_process', order: 60 },
  { medodsStatus: 'paid', title: 'Счет оплачен', kind: 'success', order: 70 },
  { medodsStatus: 'canceled', title: 'Отменен', kind: 'failed', order: 80 },
  { medodsStatus: 'failed', title: 'Неявка', kind: 'failed', order: 90 },
]

/** An undocumented status: an in-process stage titled with the raw value, after the rest. */
export function stageForUnknownStatus(status: string, lastOrder: number): StageSpec {
  return { medodsStatus: status, title: status, kind: 'in_process', order: lastOrder + 10 }
}

const sumOf = (entries: Pick<Entry, 'finalsum'>[]) =>
  entries.reduce((sum, entry) => sum + (entry.finalsum ?? 0), 0)

/** An amount no clinic bills (negative, not finite, a billion roubles or more) is unknown, not stored. */
export const MAX_AMOUNT = 1e9

/** The amount if it is one a clinic could bill, else null (unknown). */
export const sane = (amount: number): number | null =>
  Number.isFinite(amount) && amount >= 0 && amount < MAX_AMOUNT ? amount : null

/**
 * The order's amount from the first candidate it carries, in this order: `total`, `finalSum` /
 * `finalsum`, `sum`, else the sum of its lines' `finalsum`. Undefined when it carries none, so the
 * caller can read its lines from `GET /entries`; null when the amount is not believable.
 */
export function orderAmount(order: Order): number | null | undefined {
  const candidate = order.total ?? order.finalSum ?? order.finalsum ?? order.sum
  if (candidate !== null && candidate !== undefined) return sane(candidate)
  if (order.entries && order.entries.length > 0) return sane(sumOf(order.entries))
  return undefined
}

/** Which candidate `orderAmount` takes the amount from; undefined when the lines must be read. */
export function amountSourceOf(order: Order): Exclude<AmountSource, 'no_order'> | undefined {
  if (order.total != null) return 'total'
  if (order.finalSum != null || order.finalsum != null) return 'finalSum'
  if (order.sum != null) return 'sum'
  return order.entries && order.entries.length > 0 ? 'lines' : undefined
}

export const entriesAmount = (entries: Pick<Entry, 'finalsum'>[]) => sane(sumOf(entries))

/**
 * "Первичный прием — Иванова Анна Петровна": the appointment type (else its services) and the
 * doctor.
 */
export function dealTitle(appointment: Appointment, doctor: string | null, services: string[]) {
  const what = appointment.appointmentType?.title?.trim() || services.join(', ') || 'Приём'
  return doctor ? `${what} — ${doctor}` : what
}

/**
 * What the import read about one appointment; `amount` null = the order could not be read this
 * time.
 */
export type DealDraft = {
  medodsAppointmentId: number
  status: string
  title: string
  amount: number | null
  medodsClientId: number | null
  medodsUserId: number | null
  medodsOrderId: number | null
  createdAt: Date | null
}

export function toDealDraft(
  appointment: Appointment,
  read: { title: string; amount: number | null },
  timeZone: string
): DealDraft {
  return {
    medodsAppointmentId: appointment.id,
    status: appointment.status,
    title: read.title,
    amount: read.amount,
    medodsClientId: appointment.clientId ?? null,
    medodsUserId: appointment.userId ?? null,
    medodsOrderId: appointment.orderId ?? null,
    createdAt: parseMedodsTime(appointment.createdAt, timeZone),
  }
}

type Known = Pick<
  Deal,
  | 'id'
  | 'stageId'
  | 'title'
  | 'amount'
  | 'medodsClientId'
  | 'medodsUserId'
  | 'medodsOrderId'
  | 'createdAt'
  | 'createdAtKnown'
  | 'modifiedAt'
  | 'stageChangedAt'
  | 'closedAt'
>

const isClosed = (stage: Pick<PipelineStage, 'kind'>) => stage.kind !== 'in_process'

/**
 * What to write for one appointment: nothing when the deal already says all of it (so a re-import
 * changes no row and no `modifiedAt`), else the whole row, and whether its stage moved. An amount
 * that could not be read keeps the one stored before.
 */
export function planDeal(
  draft: DealDraft,
  known: Known | undefined,
  stage: PipelineStage,
  scope: { accountId: string; integrationId: string; now: Date; newId: () => string }
): DealPlan | null {
  const { now } = scope
  const amount = draft.amount ?? known?.amount ?? null
  const createdAtKnown = draft.createdAt !== null || (known?.createdAtKnown ?? false)
  const createdAt = draft.createdAt ?? known?.createdAt ?? now
  const fields = {
    accountId: scope.accountId,
    integrationId: scope.integrationId,
    medodsAppointmentId: draft.medodsAppointmentId,
    pipelineId: stage.pipelineId,
    stageId: stage.id,
    title: draft.title,
    amount,
    medodsClientId: draft.medodsClientId,
    medodsUserId: draft.medodsUserId,
    medodsOrderId: draft.medodsOrderId,
    createdAt,
    createdAtKnown,
  }
  if (!known) {
    const closedAt = isClosed(stage) ? now : null
    const row = { id: scope.newId(), ...fields, modifiedAt: now, stageChangedAt: now, closedAt }
    return { row, fromStageId: null, isNew: true }
  }
  if (sameDeal(known, fields)) return null
  const moved = known.stageId !== stage.id
  const modifiedAt = new Date(Math.max(known.modifiedAt.getTime(), now.getTime()))
  const row = {
    id: known.id,
    ...fields,
    modifiedAt,
    stageChangedAt: moved ? now : known.stageChangedAt,
    closedAt: moved ? (isClosed(stage) ? now : null) : known.closedAt,
  }
  return { row, fromStageId: moved ? known.stageId : null, isNew: false }
}

function sameDeal(
  known: Known,
  next: Omit<Known, 'id' | 'modifiedAt' | 'stageChangedAt' | 'closedAt'>
) {
  return (
    known.stageId === next.stageId &&
    known.title === next.title &&
    known.amount === next.amount &&
    known.medodsClientId === next.medodsClientId &&
    known.medodsUserId === next.medodsUserId &&
    known.medodsOrderId === next.medodsOrderId &&
    known.createdAt.getTime() === next.createdAt.getTime() &&
    known.createdAtKnown === next.createdAtKnown
  )
}
