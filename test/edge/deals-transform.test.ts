import { describe, expect, it } from 'vitest'
import type { PipelineStage } from '../../edge/db/schema'
import {
  dealTitle,
  orderAmount,
  planDeal,
  toDealDraft,
  type DealDraft,
} from '../../edge/imports/deals-transform'
import { orderSchema, type Appointment } from '../../edge/medods/schema'

const stage = (id: string, kind: PipelineStage['kind']): PipelineStage => ({
  id,
  pipelineId: 'p1',
  medodsStatus: id,
  title: id,
  kind,
  order: 10,
})
const approved = stage('approved', 'in_process')
const paid = stage('paid', 'success')
const T0 = new Date('2026-11-01T10:00:00Z')
const T1 = new Date('2026-11-02T10:00:00Z')
const scope = (now: Date) => ({ accountId: 'a', integrationId: 'i', now, newId: () => 'new-id' })

const appointment: Appointment = {
  id: 5001,
  date: '2026-11-03',
  time: '10:00',
  status: 'approved',
  clientId: 1001,
  userId: 160,
  orderId: null,
  appointmentType: { id: 1, title: 'Первичный прием' },
}
const draft = (over: Partial<DealDraft> = {}): DealDraft => ({
  ...toDealDraft(appointment, { title: 'Первичный прием', amount: 0 }, 'Europe/Moscow'),
  ...over,
})
const stored = (now: Date, d: DealDraft, s: PipelineStage) =>
  planDeal(d, undefined, s, scope(now))!.row

describe('planDeal', () => {
  it('starts a deal at its first stage, with "first seen" as its creation when Medods gives none', () => {
    const plan = planDeal(draft(), undefined, approved, scope(T0))!
    expect(plan).toMatchObject({ isNew: true, fromStageId: null })
    expect(plan.row).toMatchObject({
      id: 'new-id',
      stageId: 'approved',
      createdAt: T0,
      createdAtKnown: false,
      modifiedAt: T0,
      stageChangedAt: T0,
      closedAt: null,
    })
  })

  it('plans nothing for an unchanged deal, and keeps a known amount when the order could not be read', () => {
    const row = stored(T0, draft({ amount: 2500 }), approved)
    expect(planDeal(draft({ amount: 2500 }), row, approved, scope(T1))).toBeNull()
    expect(planDeal(draft({ amount: null }), row, approved, scope(T1))).toBeNull()
  })

  it('moves the stage, closes on success and reopens when the status goes back', () => {
    const row = stored(T0, draft(), approved)
    const moved = planDeal(draft({ status: 'paid' }), row, paid, scope(T1))!
    expect(moved).toMatchObject({ isNew: false, fromStageId: 'approved' })
    expect(moved.row).toMatchObject({
      id: 'new-id',
      stageChangedAt: T1,
      modifiedAt: T1,
      closedAt: T1,
    })
    const T2 = new Date(T1.getTime() + 1000)
    const reopened = planDeal(draft(), { ...row, ...moved.row }, approved, scope(T2))!
    expect(reopened.row).toMatchObject({ closedAt: null, stageChangedAt: T2 })
  })

  it('changes a field without a stage move: modified, but no history and the same stage time', () => {
    const row = stored(T0, draft(), approved)
    const plan = planDeal(draft({ amount: 900 }), row, approved, scope(T1))!
    expect(plan).toMatchObject({ isNew: false, fromStageId: null })
    expect(plan.row).toMatchObject({ amount: 900, modifiedAt: T1, stageChangedAt: T0 })
  })

  it('takes a creation time Medods reveals later, and never moves modifiedAt back', () => {
    const row = stored(T1, draft(), approved)
    const plan = planDeal(draft({ createdAt: T0 }), row, approved, scope(T0))!
    expect(plan.row).toMatchObject({ createdAt: T0, createdAtKnown: true, modifiedAt: T1 })
  })
})

describe('amounts and titles', () => {
  it('prefers the order total, then its lines, else leaves it to the entries list', () => {
    expect(orderAmount({ id: 1, total: 3000, entries: [{ id: 2, finalsum: 5 }] })).toBe(3000)
    expect(
      orderAmount({
        id: 1,
        entries: [
          { id: 2, finalsum: 900 },
          { id: 3, finalsum: 1800.5 },
        ],
      })
    ).toBe(2700.5)
    expect(orderAmount({ id: 1, entries: [] })).toBeUndefined()
  })

  it('reads the amount candidates in their documented order and refuses an amount no clinic bills', () => {
    // An order as another Medods answers it: no total, no lines.
    const order = { id: 1, clientId: 7, finalSum: 4500, sum: 5000, paidSum: 4500, status: 'paid' }
    expect(orderAmount(orderSchema.parse(order))).toBe(4500)
    expect(orderAmount(orderSchema.parse({ id: 1, finalsum: '1200.50' }))).toBe(1200.5)
    expect(orderAmount(orderSchema.parse({ id: 1, sum: 800 }))).toBe(800)
    expect(orderAmount({ id: 1, total: -5000 })).toBeNull()
    expect(orderAmount({ id: 1, total: 1e308 })).toBeNull()
    expect(orderAmount({ id: 1, entries: [{ id: 2, finalsum: -10 }] })).toBeNull()
    expect(orderAmount({ id: 1, total: 0 })).toBe(0)
  })

  it('names the appointment type, else the services, and the doctor', () => {
    expect(dealTitle(appointment, 'Иванова Анна', [])).toBe('Первичный прием — Иванова Анна')
    const untyped = { ...appointment, appointmentType: null }
    expect(dealTitle(untyped, null, ['УЗИ', 'Анализ крови'])).toBe('УЗИ, Анализ крови')
    expect(dealTitle(untyped, 'Иванова Анна', [])).toBe('Приём — Иванова Анна')
  })
})
