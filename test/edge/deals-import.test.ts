import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createMedodsSandbox,
  DEMO_KEY,
  ONLINE_SOURCE_ID,
  type SandboxKey,
} from '../../sandbox/medods'
import { send } from './settings-helpers'
import {
  byAppointment,
  createDealsIntegration,
  cronDeals,
  dealsDeps,
  dealsOf,
  rerunAllDeals,
} from './support/deals-fixtures'

const HOUR = 3_600_000
// Two days ago, whole seconds: run times the tests compare exactly.
const T0 = Math.floor((Date.now() - 48 * HOUR) / 1000) * 1000
const counts = { clients: 12, appointments: 40 }

afterEach(() => vi.restoreAllMocks())

const fullName = (p: { surname: string; name: string; secondName: string }) =>
  `${p.surname} ${p.name} ${p.secondName}`

describe('the deals import', () => {
  it('maps every Medods status to a stage of one "Medods" pipeline, an unknown one raw', async () => {
    const account = 'acc-deals-stages'
    const sandbox = createMedodsSandbox({ counts })
    sandbox.updateAppointment(5010, { status: 'rescheduled' })
    const integrationId = await createDealsIntegration(account)

    const run = await cronDeals(
      dealsDeps(sandbox, { now: () => new Date(T0) }).deps,
      integrationId,
      T0
    )
    expect(run).toMatchObject({
      status: 'succeeded',
      kind: 'deals',
      fetched: 40,
      stored: 40,
      error: null,
    })

    const pipelines = await send(account, 'GET', `/api/v1/pipelines?integrationId=${integrationId}`)
    expect(pipelines.body.data).toHaveLength(1)
    const [pipeline] = pipelines.body.data
    expect(pipeline).toMatchObject({ integrationId, name: 'Medods' })
    const stages = pipeline.stages.map((s: any) => [s.medodsStatus, s.title, s.kind, s.order])
    expect(stages).toEqual([
      ['need_approval', 'Не подтвержден', 'in_process', 10],
      ['confirmed_by_administrator', 'Подтвержден администратором', 'in_process', 20],
      ['approved', 'Подтвержден', 'in_process', 30],
      ['arrived', 'Клиент пришел', 'in_process', 40],
      ['serviced', 'Прием завершен', 'in_process', 50],
      ['billed', 'Счет выставлен', 'in_process', 60],
      ['paid', 'Счет оплачен', 'success', 70],
      ['canceled', 'Отменен', 'failed', 80],
      ['failed', 'Неявка', 'failed', 90],
      ['rescheduled', 'rescheduled', 'in_process', 100],
    ])

    // Every appointment becomes a deal, booked online or not.
    expect(sandbox.data.appointments.some((a) => a.appointmentSourceId !== ONLINE_SOURCE_ID)).toBe(
      true
    )
    const deals = byAppointment(await dealsOf(account, `&integrationId=${integrationId}`))
    expect(deals.size).toBe(40)
    for (const appointment of sandbox.data.appointments) {
      const deal = deals.get(appointment.id)!
      expect(deal.pipelineId).toBe(pipeline.id)
      expect(deal.stage.medodsStatus).toBe(appointment.status)
      const closed = ['paid', 'canceled', 'failed'].includes(appointment.status)
      expect(deal.closedAt).toBe(closed ? new Date(T0).toISOString() : null)
    }
  })

  it('takes the amount from the order total, else the sum of its lines, and 0 without an order', async () => {
    const account = 'acc-deals-amounts'
    const sandbox = createMedodsSandbox({ counts })
    const [withoutTotal, withTotal] = sandbox.data.orders
    delete (withoutTotal as { total?: number }).total
    // Lines that no longer add up to the total: the total still wins.
    sandbox.data.entries.find((e) => e.orderId === withTotal!.id)!.finalsum += 500
    const integrationId = await createDealsIntegration(account)
    await cronDeals(dealsDeps(sandbox).deps, integrationId, T0)

    const deals = byAppointment(await dealsOf(account, `&integrationId=${integrationId}`))
    const sumOfLines = (orderId: number) =>
      sandbox.data.entries
        .filter((e) => e.orderId === orderId)
        .reduce((sum, e) => sum + e.finalsum, 0)
    for (const appointment of sandbox.data.appointments) {
      const deal = deals.get(appointment.id)!
      const order = sandbox.data.orders.find((o) => o.id === appointment.orderId)
      const expected = !order ? 0 : order === withoutTotal ? sumOfLines(order.id) : order.total
      expect(deal.amount).toBe(expected)
      expect(deal.currency).toBe('RUB')
      const doctor = sandbox.data.users.find((u) => u.id === appointment.userId)!
      expect(deal.title).toBe(`Первичный прием — ${fullName(doctor)}`)
    }
    expect(
      deals.get(sandbox.data.appointments.find((a) => a.orderId === withTotal!.id)!.id)!.amount
    ).not.toBe(sumOfLines(withTotal!.id))
  })

  it('records a stage change seen across two runs as a history of two', async () => {
    const account = 'acc-deals-history'
    const sandbox = createMedodsSandbox({ counts })
    const integrationId = await createDealsIntegration(account)
    await cronDeals(dealsDeps(sandbox, { now: () => new Date(T0) }).deps, integrationId, T0)
    const first = byAppointment(await dealsOf(account, `&integrationId=${integrationId}`))

    sandbox.updateAppointment(5003, { status: 'arrived' })
    sandbox.updateAppointment(5004, { status: 'canceled' })
    const T1 = T0 + HOUR
    const run = await cronDeals(
      dealsDeps(sandbox, { now: () => new Date(T1) }).deps,
      integrationId,
      T1
    )
    expect(run.status).toBe('succeeded')

    const deals = byAppointment(
      await dealsOf(account, `&integrationId=${integrationId}&include=history`)
    )
    const moved = deals.get(5003)!
    const approved = first.get(5003)!.stage
    expect(approved.medodsStatus).toBe('approved')
    expect(moved.stage.medodsStatus).toBe('arrived')
    expect(moved.history).toEqual([
      { fromStageId: null, toStageId: approved.id, at: new Date(T0).toISOString() },
      { fromStageId: approved.id, toStageId: moved.stage.id, at: new Date(T1).toISOString() },
    ])
    expect(moved).toMatchObject({
      modifiedAt: new Date(T1).toISOString(),
      stageChangedAt: new Date(T1).toISOString(),
    })
    expect(moved.createdAt).toBe(first.get(5003)!.createdAt)
    expect(moved.closedAt).toBeNull()
    expect(deals.get(5004)).toMatchObject({
      closedAt: new Date(T1).toISOString(),
      stage: { kind: 'failed' },
    })
    expect(deals.get(5004)!.history).toHaveLength(2)

    const untouched = deals.get(5001)!
    expect(untouched.history).toHaveLength(1)
    expect(untouched.modifiedAt).toBe(new Date(T0).toISOString())

    const changed = await dealsOf(
      account,
      `&integrationId=${integrationId}&modifiedFrom=${new Date(T1).toISOString()}`
    )
    expect(changed.map((d) => d.medodsAppointmentId).sort()).toEqual([5003, 5004])
  })

  it('changes nothing when it re-imports unchanged appointments', async () => {
    const account = 'acc-deals-idempotent'
    const sandbox = createMedodsSandbox({ counts })
    const integrationId = await createDealsIntegration(account)
    await cronDeals(dealsDeps(sandbox, { now: () => new Date(T0) }).deps, integrationId, T0)
    const before = await dealsOf(account, `&integrationId=${integrationId}&include=history`)
    const rows = async () =>
      env.DB.prepare(
        `SELECT (SELECT count(*) FROM deals WHERE integration_id = ?1) AS deals,
          (SELECT count(*) FROM deal_stage_history h JOIN deals d ON d.id = h.deal_id WHERE d.integration_id = ?1) AS history,
          (SELECT count(*) FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id WHERE p.integration_id = ?1) AS stages`
      )
        .bind(integrationId)
        .first()
    const countsBefore = await rows()
    expect(countsBefore).toEqual({ deals: 40, history: 40, stages: 9 })

    const { deps } = dealsDeps(sandbox, { now: () => new Date(T0 + HOUR) })
    const again = await rerunAllDeals(deps, account, integrationId)
    expect(again).toMatchObject({ status: 'succeeded', fetched: 40, stored: 0 })
    expect(await rows()).toEqual(countsBefore)
    expect(await dealsOf(account, `&integrationId=${integrationId}&include=history`)).toEqual(
      before
    )
  })

  it('upserts contacts and managers: one row each, renamed in place', async () => {
    const account = 'acc-deals-people'
    const sandbox = createMedodsSandbox({ counts })
    const integrationId = await createDealsIntegration(account)
    const { deps } = dealsDeps(sandbox)
    await cronDeals(deps, integrationId, T0)
    const peopleRows = () =>
      env.DB.prepare(
        `SELECT (SELECT count(*) FROM medods_clients WHERE integration_id = ?1) AS clients,
          (SELECT count(*) FROM medods_users WHERE integration_id = ?1) AS users`
      )
        .bind(integrationId)
        .first()
    const distinct = (ids: number[]) => new Set(ids).size
    const expected = {
      clients: distinct(sandbox.data.appointments.map((a) => a.clientId)),
      users: distinct(sandbox.data.appointments.map((a) => a.userId)),
    }
    expect(await peopleRows()).toEqual(expected)

    const appointment = sandbox.data.appointments[0]!
    const deals = byAppointment(await dealsOf(account, `&integrationId=${integrationId}`))
    const patient = sandbox.data.clients.find((c) => c.id === appointment.clientId)!
    const doctor = sandbox.data.users.find((u) => u.id === appointment.userId)!
    expect(deals.get(appointment.id)).toMatchObject({
      contact: {
        medodsClientId: patient.id,
        name: fullName(patient),
        phones: [patient.phone],
        emails: [patient.email],
      },
      manager: { medodsUserId: doctor.id, name: fullName(doctor) },
    })

    Object.assign(patient, {
      surname: 'Новикова',
      phone: '8 (999) 000-11-22',
      email: 'New@Example.com',
    })
    doctor.surname = 'Лебедева'
    await rerunAllDeals(deps, account, integrationId)

    expect(await peopleRows()).toEqual(expected)
    const after = await dealsOf(account, `&integrationId=${integrationId}`)
    const ofPatient = after.filter((d) => d.contact?.medodsClientId === patient.id)
    expect(ofPatient.length).toBe(
      sandbox.data.appointments.filter((a) => a.clientId === patient.id).length
    )
    for (const deal of ofPatient) {
      expect(deal.contact).toEqual({
        medodsClientId: patient.id,
        name: fullName(patient),
        phones: ['79990001122'],
        emails: ['new@example.com'],
      })
    }
    const ofDoctor = after.filter((d) => d.manager?.medodsUserId === doctor.id)
    expect(ofDoctor.every((d) => d.manager!.name === fullName(doctor))).toBe(true)
    expect(ofDoctor.length).toBeGreaterThan(0)
  })

  it('keeps a deal whose order fetch keeps failing, amount unknown and counted in the run', async () => {
    const account = 'acc-deals-order-down'
    const sandbox = createMedodsSandbox({ counts })
    const paid = sandbox.data.appointments.find((a) => a.status === 'paid')!
    const order = sandbox.data.orders.find((o) => o.id === paid.orderId)!
    const path = `/api/v2/orders/${order.id}`
    sandbox.faults.unavailable.add(`orders/${order.id}`)
    const integrationId = await createDealsIntegration(account)
    const { deps, waits } = dealsDeps(sandbox)

    const run = await cronDeals(deps, integrationId, T0)
    expect(run).toMatchObject({ status: 'succeeded', error: null, stored: 40, amount_unknown: 1 })
    const tries = sandbox.requests.filter((r) => r.path === path)
    expect(tries.map((r) => r.status)).toEqual([503, 503, 503, 503, 503])
    expect(waits).toHaveLength(4)
    const deals = byAppointment(await dealsOf(account, `&integrationId=${integrationId}`))
    expect(deals.get(paid.id)).toMatchObject({ amount: null, stage: { medodsStatus: 'paid' } })
    const runs = await send(account, 'GET', `/api/v1/import-runs?integrationId=${integrationId}`)
    expect(runs.body.data[0]).toMatchObject({ kind: 'deals', amountUnknown: 1 })

    sandbox.faults.unavailable.clear()
    // The run starts by reading that order again and fills the amount in, so its list changes nothing.
    expect(await rerunAllDeals(deps, account, integrationId)).toMatchObject({
      amount_unknown: 0,
      stored: 0,
    })
    expect(sandbox.requests.filter((r) => r.path === path).at(-1)?.status).toBe(200)
    const known = byAppointment(await dealsOf(account, `&integrationId=${integrationId}`)).get(
      paid.id
    )!
    expect(known.amount).toBe(order.total)

    // Failing again later does not forget the amount already read, nor count as a change.
    sandbox.faults.unavailable.add(`orders/${order.id}`)
    expect(await rerunAllDeals(deps, account, integrationId)).toMatchObject({
      amount_unknown: 1,
      stored: 0,
    })
    const kept = byAppointment(await dealsOf(account, `&integrationId=${integrationId}`)).get(
      paid.id
    )!
    expect(kept).toEqual(known)
  })

  it('fails the run when Medods refuses the orders outright, storing nothing of the page', async () => {
    const account = 'acc-deals-no-orders'
    const limited: SandboxKey = {
      identity: '5b0c8e2a-1d3f-4a6b-9c7e-2f4a6d8b0c1e',
      secretKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
      rights: ['appointments', 'clients', 'users'],
    }
    const sandbox = createMedodsSandbox({ counts, keys: [DEMO_KEY, limited] })
    const integrationId = await createDealsIntegration(account, limited)

    const run = await cronDeals(dealsDeps(sandbox).deps, integrationId, T0)
    expect(run.status).toBe('failed')
    expect(run.error).toMatch(/403 on orders/)
    expect(await dealsOf(account, `&integrationId=${integrationId}`)).toEqual([])
  })
})
