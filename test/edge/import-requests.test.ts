import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { runImportJob } from '../../edge/imports/run'
import { createMedodsSandbox, ONLINE_SOURCE_ID } from '../../sandbox/medods'
import { moscowParts } from '../../sandbox/medods/data'
import { send } from './settings-helpers'
import {
  captureImportJobs,
  importAll,
  importDeps,
  setUpClinic,
  sha256Hex,
  visit,
} from './support/import-fixtures'

const HOUR = 3_600_000
const MINUTE = 60_000

type RequestItem = {
  id: string
  medodsAppointmentId: number
  matchMethod: string
  candidates: number
  sessionId: string | null
  campaignId: string | null
  sourceId: string | null
  siteId: string | null
  phone: string | null
  name: string | null
  doctor: string | null
  status: string | null
  attribution: { source: string; medium: string; campaign: string; clickIds: Record<string, string> } | null
}

async function requestsOf(account: string, integrationId: string) {
  const items: RequestItem[] = []
  let cursor: string | null = null
  do {
    const query: string = `integrationId=${integrationId}&limit=200${cursor ? `&cursor=${cursor}` : ''}`
    const page = await send(account, 'GET', `/api/v1/requests?${query}`)
    expect(page.status).toBe(200)
    items.push(...page.body.data)
    cursor = page.body.nextCursor
  } while (cursor)
  return items
}

const runRow = (id: string) =>
  env.DB.prepare('SELECT * FROM import_runs WHERE id = ?').bind(id).first<Record<string, any>>()

/** What a fault-free import must store: the sandbox's online bookings changed after the run's cursor. */
function expectedIds(sandbox: ReturnType<typeof createMedodsSandbox>, updatedAtAfter: number) {
  return sandbox.data.appointments
    .filter((a) => a.appointmentSourceId === ONLINE_SOURCE_ID)
    .filter((a) => (sandbox.data.updatedAt.get(a.id) ?? 0) > updatedAtAfter * 1000)
    .map((a) => a.id)
    .sort()
}

afterEach(() => vi.restoreAllMocks())

describe('the matching ladder, end to end', () => {
  const account = 'acc-ladder'
  let clock = Date.now()
  const sandbox = createMedodsSandbox({ now: () => clock, counts: { clients: 6, appointments: 12 } })
  const tomorrow = moscowParts(Date.now() + 24 * HOUR).date
  let clinic: Awaited<ReturnType<typeof setUpClinic>>
  const booked: Record<string, number> = {}
  const sessions: Record<string, string> = {}

  function bookAt(name: string, at: number, slot: string, phone: string, comment = '') {
    clock = at
    const result = sandbox.book({ doctorId: 160, slot: `${tomorrow} ${slot}`, surname: 'Тестова', name, phone, comment })
    clock = Date.now()
    if (!('appointment' in result) || !result.appointment) throw new Error(JSON.stringify(result))
    booked[name] = result.appointment.id
  }

  beforeAll(async () => {
    // Every rung is exercised here, so the opt-in booking-window rung is on.
    clinic = await setUpClinic(account, { bookingWindowRung: 'on' })
    const base = Date.now() - 10 * HOUR
    const site = clinic.siteId

    sessions.carried = await visit(site, base - HOUR, [])
    bookAt('carried', base, '09:00', '79990000001', `Запись с сайта, сессия ${sessions.carried}`)

    sessions.contact = await visit(
      site,
      base + HOUR,
      [{ t: 'identify', a: base + HOUR + 1000, h: [`p:${await sha256Hex('79990000002')}`] }],
      { t: 'organic', s: 'google', m: 'organic', c: '', k: {} }
    )
    bookAt('contact', base + 2 * HOUR, '09:30', '+7 (999) 000-00-02')

    sessions.window = await visit(site, base + 4 * HOUR - 10 * MINUTE, [
      { t: 'booking_open', a: base + 4 * HOUR - 10 * MINUTE },
    ])
    bookAt('window', base + 4 * HOUR, '10:00', '79990000003')

    for (const minutesBefore of [5, 20]) {
      const at = base + 6 * HOUR - minutesBefore * MINUTE
      await visit(site, at, [{ t: 'booking_open', a: at }])
    }
    bookAt('ambiguous', base + 6 * HOUR, '10:30', '79990000004')
    bookAt('nothing', base + 8 * HOUR, '11:00', '79990000005')

    await importAll(importDeps(sandbox), clinic.integrationId)
  })

  const request = async (name: string) =>
    (await requestsOf(account, clinic.integrationId)).find((r) => r.medodsAppointmentId === booked[name])!

  it('matches a session id carried in the booking comment first', async () => {
    const r = await request('carried')
    expect(r).toMatchObject({ matchMethod: 'session_id', candidates: 1, sessionId: sessions.carried })
    expect(r.campaignId).toBe(clinic.implantsId)
    expect(r.attribution).toMatchObject({ source: 'yandex', medium: 'cpc', campaign: 'implants', clickIds: { yclid: '777' } })
  })

  it('matches by the contact hash the widget captured before the booking', async () => {
    const r = await request('contact')
    expect(r).toMatchObject({ matchMethod: 'contact', candidates: 1, sessionId: sessions.contact, phone: '79990000002' })
    // google / organic resolves to no campaign of the account: the session's tags still travel along.
    expect(r.campaignId).toBeNull()
    expect(r.attribution).toMatchObject({ source: 'google', medium: 'organic' })
  })

  it('matches the one session that opened the booking widget just before the booking', async () => {
    const r = await request('window')
    expect(r).toMatchObject({ matchMethod: 'booking_window', candidates: 1, sessionId: sessions.window })
    expect(r.campaignId).toBe(clinic.implantsId)
  })

  it('leaves an ambiguous booking window unmatched, on the default campaign, with its candidate count', async () => {
    const r = await request('ambiguous')
    expect(r).toMatchObject({ matchMethod: 'default', candidates: 2, sessionId: null, campaignId: clinic.fallbackId })
    expect(r.attribution).toBeNull()
  })

  it('gives a booking with no session the default campaign', async () => {
    const r = await request('nothing')
    expect(r).toMatchObject({ matchMethod: 'default', candidates: 0, sessionId: null, campaignId: clinic.fallbackId })
  })

  it('carries the contact, doctor and status from Medods', async () => {
    const r = await request('nothing')
    const doctor = sandbox.data.users.find((u) => u.id === 160)!
    expect(r).toMatchObject({ name: 'Тестова nothing', phone: '79990000005', status: 'need_approval' })
    expect(r.doctor).toBe(`${doctor.surname} ${doctor.name} ${doctor.secondName}`)
  })

  it('imports only online-booking appointments, each once', async () => {
    const items = await requestsOf(account, clinic.integrationId)
    const run = await env.DB.prepare(
      'SELECT updated_at_after FROM import_runs WHERE integration_id = ? ORDER BY created_at LIMIT 1'
    )
      .bind(clinic.integrationId)
      .first<{ updated_at_after: number }>()
    const ids = items.map((r) => r.medodsAppointmentId).sort()
    expect(ids).toEqual(expectedIds(sandbox, run!.updated_at_after))
    expect(sandbox.data.appointments.some((a) => a.appointmentSourceId !== ONLINE_SOURCE_ID)).toBe(true)
  })

  it('records the run with its counters per rung', async () => {
    const run = await env.DB.prepare('SELECT * FROM import_runs WHERE integration_id = ?')
      .bind(clinic.integrationId)
      .first<Record<string, number | string>>()
    expect(run).toMatchObject({ status: 'succeeded', kind: 'requests', trigger: 'cron', error: null })
    expect(run!.matched_session_id).toBe(1)
    expect(run!.matched_contact).toBe(1)
    expect(run!.matched_booking_window).toBe(1)
    expect(Number(run!.stored)).toBe((await requestsOf(account, clinic.integrationId)).length)
    expect(Number(run!.defaulted)).toBe(Number(run!.stored) - 3)
  })

  it('updates on a re-run instead of duplicating', async () => {
    const before = await requestsOf(account, clinic.integrationId)
    sandbox.updateAppointment(booked.nothing!, { status: 'approved' })
    await importAll(importDeps(sandbox), clinic.integrationId, Date.now() + 1)
    const after = await requestsOf(account, clinic.integrationId)
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort())
    expect(after.find((r) => r.medodsAppointmentId === booked.nothing)!.status).toBe('approved')
  })
})

describe('the booking-window rung', () => {
  /** A clinic with one booking whose only window candidate is a session that opened the widget. */
  async function loneCandidate(account: string, over: Record<string, unknown>, phoneLeft?: string) {
    let clock = Date.now()
    const sandbox = createMedodsSandbox({ now: () => clock, counts: { clients: 0, appointments: 0 } })
    const clinic = await setUpClinic(account, over)
    const at = Date.now() - 2 * HOUR
    const left = phoneLeft ? [{ t: 'identify' as const, a: at - 11 * MINUTE, h: [`p:${await sha256Hex(phoneLeft)}`] }] : []
    const opener = await visit(clinic.siteId, at - 12 * MINUTE, [...left, { t: 'booking_open', a: at - 10 * MINUTE }])
    const book = (name: string, when: number, slot: string, phone: string) => {
      clock = when
      const result = sandbox.book({ doctorId: 160, slot: `${moscowParts(Date.now() + 24 * HOUR).date} ${slot}`, surname: 'Тестова', name, phone })
      clock = Date.now()
      if (!('appointment' in result) || !result.appointment) throw new Error(JSON.stringify(result))
      return result.appointment.id
    }
    return { sandbox, clinic, at, opener, book }
  }

  it('is on by default: the lone visit that followed a booking link near the booking gets it', async () => {
    const account = 'acc-window-default'
    const { sandbox, clinic, at, opener, book } = await loneCandidate(account, {})
    const integration = await send(account, 'GET', `/api/v1/integrations/${clinic.integrationId}`)
    expect(integration.body).toMatchObject({ bookingWindowRung: 'on', timeZone: 'Europe/Moscow' })
    const id = book('lone', at, '12:00', '79990000101')
    await importAll(importDeps(sandbox), clinic.integrationId)
    const r = (await requestsOf(account, clinic.integrationId)).find((x) => x.medodsAppointmentId === id)
    expect(r).toMatchObject({ matchMethod: 'booking_window', candidates: 1, sessionId: opener, reason: null })
  })

  it('is turned off per integration, says so as the reason, and refuses anything but on or off', async () => {
    const account = 'acc-window-setting'
    const { sandbox, clinic, at, book } = await loneCandidate(account, {})
    const path = `/api/v1/integrations/${clinic.integrationId}`
    const bad = await send(account, 'PATCH', path, { bookingWindowRung: 'sometimes' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBeTypeOf('string')
    const off = await send(account, 'PATCH', path, { bookingWindowRung: 'off' })
    expect(off.status).toBe(200)
    const id = book('lone', at, '12:00', '79990000104')
    await importAll(importDeps(sandbox), clinic.integrationId)
    const r = (await requestsOf(account, clinic.integrationId)).find((x) => x.medodsAppointmentId === id)
    expect(r).toMatchObject({ matchMethod: 'default', candidates: 0, reason: 'rung_off', campaignId: clinic.fallbackId })
    const runs = await send(account, 'GET', `/api/v1/import-runs?integrationId=${clinic.integrationId}`)
    expect(runs.body.data.at(-1).defaultReasons).toMatchObject({ rungOff: 1 })
  })

  it('gives no booking a session that a contact already ties to another booking', async () => {
    const account = 'acc-window-one-to-one'
    // The opener left the phone of the first booking; the second booking, minutes later, has no session.
    const { sandbox, clinic, at, opener, book } = await loneCandidate(account, { bookingWindowRung: 'on' }, '79990000102')
    const first = book('first', at, '12:30', '79990000102')
    const second = book('second', at + 2 * MINUTE, '13:00', '79990000103')
    await importAll(importDeps(sandbox), clinic.integrationId)
    const items = await requestsOf(account, clinic.integrationId)
    expect(items.find((x) => x.medodsAppointmentId === first)).toMatchObject({ matchMethod: 'contact', sessionId: opener })
    expect(items.find((x) => x.medodsAppointmentId === second)).toMatchObject({ matchMethod: 'default', candidates: 0, sessionId: null })
    // Re-imported alone (only it changed), the second booking still finds the session taken, now by a stored request.
    sandbox.updateAppointment(second, { status: 'approved' })
    await importAll(importDeps(sandbox), clinic.integrationId, Date.now() + 1)
    const again = (await requestsOf(account, clinic.integrationId)).find((x) => x.medodsAppointmentId === second)
    expect(again).toMatchObject({ status: 'approved', matchMethod: 'default', candidates: 0, sessionId: null })
  })
})

describe('booking drawers and clocks', () => {
  /** A visit whose booking drawer is open from `from` to `to`, focused or not. */
  const drawerVisit = async (siteId: string, from: number, to: number, focused = true) => {
    const open = crypto.randomUUID()
    const events = [
      { i: open, t: 'booking_open' as const, n: 'iframe', a: from },
      ...(focused ? [{ t: 'booking_focus' as const, o: open, a: from + 15_000 }] : []),
      { t: 'booking_close' as const, o: open, d: to - from, n: 'hide', a: to },
    ]
    return visit(siteId, from - 5 * MINUTE, events)
  }

  it('gives a booking to the visit whose drawer was open and used at its creation, not to one who left', async () => {
    const account = 'acc-drawers'
    let clock = Date.now()
    const sandbox = createMedodsSandbox({ now: () => clock, counts: { clients: 0, appointments: 0 } })
    const clinic = await setUpClinic(account)
    const at = Date.now() - 2 * HOUR
    const booker = await drawerVisit(clinic.siteId, at - 3 * MINUTE, at + 10_000)
    await drawerVisit(clinic.siteId, at - 90_000, at - 60_000, true) // closed before the booking
    await drawerVisit(clinic.siteId, at - 30_000, at + 20_000, false) // open, never used
    clock = at
    const slot = `${moscowParts(Date.now() + 24 * HOUR).date} 14:00`
    const booked = sandbox.book({ doctorId: 160, slot, surname: 'Тестова', name: 'Вера', phone: '79990000105' })
    clock = Date.now()
    await importAll(importDeps(sandbox), clinic.integrationId)
    const [r] = await requestsOf(account, clinic.integrationId)
    expect(booked).toHaveProperty('appointment')
    expect(r).toMatchObject({ matchMethod: 'booking_window', candidates: 1, sessionId: booker, reason: null })
  })

  it('reads Medods times without an offset in the clinic time zone, not as UTC', async () => {
    const account = 'acc-wall-clock'
    let clock = Date.now()
    const sandbox = createMedodsSandbox({
      now: () => clock,
      counts: { clients: 0, appointments: 0 },
      createdAtWithoutOffset: true,
    })
    const clinic = await setUpClinic(account)
    const at = Math.floor((Date.now() - 2 * HOUR) / 1000) * 1000
    const booker = await drawerVisit(clinic.siteId, at - 3 * MINUTE, at + 10_000)
    clock = at
    const slot = `${moscowParts(Date.now() + 24 * HOUR).date} 15:00`
    sandbox.book({ doctorId: 160, slot, surname: 'Тестова', name: 'Ольга', phone: '79990000106' })
    clock = Date.now()
    await importAll(importDeps(sandbox), clinic.integrationId)
    const [r] = await requestsOf(account, clinic.integrationId)
    expect(r).toMatchObject({ createdAt: new Date(at).toISOString(), matchMethod: 'booking_window', sessionId: booker })
  })
})

describe('defaults', () => {
  it('gives an unmatched booking the default source and site', async () => {
    const account = 'acc-source-default'
    const sandbox = createMedodsSandbox({ counts: { clients: 3, appointments: 9 } })
    const source = await send(account, 'POST', '/api/v1/sources', { name: 'Сайт клиники' })
    const { siteId, integrationId } = await setUpClinic(account)
    await send(account, 'PATCH', `/api/v1/integrations/${integrationId}`, {
      defaultAttribution: { kind: 'source', sourceId: source.body.id, siteId },
    })
    await importAll(importDeps(sandbox), integrationId)
    const items = await requestsOf(account, integrationId)
    expect(items.length).toBeGreaterThan(0)
    for (const r of items) {
      expect(r).toMatchObject({ matchMethod: 'default', campaignId: null, sourceId: source.body.id, siteId })
    }
  })
})

describe('resilience', () => {
  it('resumes from the committed page after a failure half-way, with the same result as a clean run', async () => {
    const account = 'acc-resume'
    const sandbox = createMedodsSandbox({ counts: { clients: 30, appointments: 700 } })
    const { integrationId } = await setUpClinic(account)
    const deps = importDeps(sandbox, { pagesPerInvocation: 2 })
    const scheduledAt = Date.now()
    const runId = `cron:requests:${integrationId}:${scheduledAt}`
    const { jobs: continuations } = captureImportJobs()

    await runImportJob(deps, { kind: 'requests', integrationId, scheduledAt })
    expect((await runRow(runId))!.next_offset).toBe(200)
    expect(continuations).toEqual([{ kind: 'requests', integrationId, scheduledAt, runId }])

    sandbox.faults.serverErrors = { times: Infinity, status: 502 }
    await expect(runImportJob(deps, { kind: 'requests', integrationId, scheduledAt, runId })).rejects.toThrow(/502/)
    const failed = (await runRow(runId))!
    expect(failed).toMatchObject({ status: 'running', next_offset: 200 })
    expect(failed.error).toMatch(/Medods unavailable/)
    const shown = await send(account, 'GET', `/api/v1/integrations/${integrationId}`)
    expect(shown.body.lastError).toMatch(/Medods unavailable/)

    sandbox.faults.serverErrors = { times: 0, status: 500 }
    for (let job = continuations.pop(); job; job = continuations.pop()) await runImportJob(deps, job)
    const done = (await runRow(runId))!
    const listed = sandbox.data.appointments.filter(
      (a) => (sandbox.data.updatedAt.get(a.id) ?? 0) > done.updated_at_after * 1000
    )
    expect(listed.length).toBeGreaterThan(400)
    expect(done).toMatchObject({ status: 'succeeded', error: null, next_offset: listed.length })
    const ids = (await requestsOf(account, integrationId)).map((r) => r.medodsAppointmentId).sort()
    expect(ids).toEqual(expectedIds(sandbox, done.updated_at_after))
    expect((await send(account, 'GET', `/api/v1/integrations/${integrationId}`)).body.lastError).toBeNull()
  })

  it('survives 429s, 5xx and a malformed record with nothing lost or doubled', async () => {
    const account = 'acc-faults'
    const sandbox = createMedodsSandbox({ counts: { clients: 20, appointments: 240 } })
    const broken = sandbox.data.appointments.find((a) => a.appointmentSourceId === ONLINE_SOURCE_ID)!
    sandbox.faults.malformed.add(`appointments/${broken.id}`)
    sandbox.faults.rateLimited = { times: 2, retryAfterSeconds: 3 }
    sandbox.faults.serverErrors = { times: 2, status: 503 }
    const { integrationId } = await setUpClinic(account)

    const runId = await importAll(importDeps(sandbox), integrationId)

    const run = (await runRow(runId))!
    expect(run).toMatchObject({ status: 'succeeded', malformed: 1 })
    expect(run.retries).toBeGreaterThanOrEqual(4)
    const ids = (await requestsOf(account, integrationId)).map((r) => r.medodsAppointmentId).sort()
    expect(ids).toEqual(expectedIds(sandbox, run.updated_at_after).filter((id) => id !== broken.id))
  })

  it('stops a run with bad credentials at once, with a clear error and no retries', async () => {
    const account = 'acc-bad-key'
    const sandbox = createMedodsSandbox({ counts: { clients: 3, appointments: 9 } })
    const { integrationId } = await setUpClinic(account, { secretKey: 'f'.repeat(64) })

    const runId = await importAll(importDeps(sandbox), integrationId)

    const run = (await runRow(runId))!
    expect(run).toMatchObject({ status: 'failed', medods_requests: 1, retries: 0 })
    expect(run.error).toMatch(/401/)
    const shown = await send(account, 'GET', `/api/v1/integrations/${integrationId}`)
    expect(shown.body.lastError).toBe(run.error)
  })
})
