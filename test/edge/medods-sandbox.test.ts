import { SignJWT, UnsecuredJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { APPOINTMENT_STATUSES, clientSchema, clinicSchema, userSchema } from '../../edge/medods/schema'
import { medodsToken } from '../../edge/medods/token'
import { createMedodsSandbox, DEMO_KEY, NO_RIGHTS_KEY, ONLINE_SOURCE_ID } from '../../sandbox/medods'
import { firstPage, sandboxHttp } from './support/medods-extra'
import { SANDBOX_ORIGIN } from './support/medods-sandbox'

const NOW = Date.UTC(2025, 4, 20, 9, 0, 0)
const nowSeconds = NOW / 1000
const sign = (claims: { iss?: string; iat: number; exp: number }, key: Uint8Array, alg = 'HS512') =>
  new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuer(claims.iss ?? DEMO_KEY.identity)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(key)
const text = (s: string) => new TextEncoder().encode(s)

function setup(options = {}) {
  const sandbox = createMedodsSandbox({ now: () => NOW, ...options })
  const get = async (path: string, authorization?: string) => {
    const headers = authorization ? { authorization } : undefined
    return sandbox.app.fetch(new Request(`${SANDBOX_ORIGIN}${path}`, { headers }))
  }
  const authed = async (path: string, key = DEMO_KEY) =>
    get(path, `Bearer ${await medodsToken(key.identity, key.secretKey, NOW)}`)
  return { sandbox, get, authed }
}

describe('sandbox authentication', () => {
  it('accepts a token minted by the recipe, with or without the Bearer prefix', async () => {
    const { get, authed } = setup()
    expect((await authed('/api/v2/clinics')).status).toBe(200)
    const bare = await medodsToken(DEMO_KEY.identity, DEMO_KEY.secretKey, NOW)
    expect((await get('/api/v2/clinics', bare)).status).toBe(200)
  })

  it('answers 401 naming the rule for every token it must reject', async () => {
    const { get } = setup()
    const hexKey = Uint8Array.from(DEMO_KEY.secretKey.match(/../g)!, (h) => parseInt(h, 16))
    const good = { iat: nowSeconds - 5, exp: nowSeconds + 55 }
    const secret = text(DEMO_KEY.secretKey)
    const bearer = async (claims: Parameters<typeof sign>[0], key = secret, alg = 'HS512') =>
      `Bearer ${await sign(claims, key, alg)}`
    const unsigned = new UnsecuredJWT({})
      .setIssuer(DEMO_KEY.identity)
      .setIssuedAt(good.iat)
      .setExpirationTime(good.exp)
      .encode()
    const cases: [string, string | undefined, string][] = [
      ['no header', undefined, 'missing token'],
      ['garbage', 'Bearer not-a-jwt', 'malformed token'],
      ['unknown identity', await bearer({ ...good, iss: 'someone-else' }), 'unknown identity'],
      ['wrong secret', await bearer(good, text(NO_RIGHTS_KEY.secretKey)), 'bad signature'],
      ['hex-decoded key', await bearer(good, hexKey), 'bad signature'],
      ['expired', await bearer({ iat: nowSeconds - 600, exp: nowSeconds - 540 }), 'expired'],
      [
        'far-future iat',
        await bearer({ iat: nowSeconds + 3600, exp: nowSeconds + 3660 }),
        'iat in the future',
      ],
      [
        'a day long',
        await bearer({ iat: nowSeconds - 5, exp: nowSeconds + 86_400 }),
        'lifetime too long',
      ],
      ['HS256', await bearer(good, secret, 'HS256'), 'algorithm not allowed'],
      ['alg none', `Bearer ${unsigned}`, 'algorithm not allowed'],
    ]
    for (const [name, header, detail] of cases) {
      const res = await get('/api/v2/clinics', header)
      expect({ name, status: res.status }).toEqual({ name, status: 401 })
      const body = await res.json()
      expect({ name, body }).toEqual({ name, body: { errors: ['errors.unauthorized'], detail } })
    }
  })

  it('answers 403 to a valid key whose API role has no rights', async () => {
    const { authed } = setup()
    const res = await authed('/api/v2/appointments', NO_RIGHTS_KEY)
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ errors: ['errors.forbidden'] })
  })
})

describe('sandbox lists', () => {
  it('pages with limit and offset in a {data, totalItems} envelope', async () => {
    const { authed } = setup()
    const first = (await (await authed('/api/v2/appointments?limit=100&offset=0')).json()) as any
    const second = (await (await authed('/api/v2/appointments?limit=100&offset=100')).json()) as any
    expect(first.totalItems).toBe(150)
    expect(first.data).toHaveLength(100)
    expect(second.data).toHaveLength(50)
    const ids = [...first.data, ...second.data].map((a: { id: number }) => a.id)
    expect(new Set(ids).size).toBe(150)
  })

  it('serves clinics, clients and users as the Medods schemas read them, filtered when asked', async () => {
    const sandbox = createMedodsSandbox()
    const http = sandboxHttp(sandbox)
    expect((await firstPage(http, 'clinics', clinicSchema)).items).toHaveLength(2)
    expect((await firstPage(http, 'clients', clientSchema)).totalItems).toBe(40)
    const { items: doctors } = await firstPage(http, 'users', userSchema, { clinicId: 1 })
    const inClinic = sandbox.data.users.filter((u) => u.currentClinicId === 1).map((u) => u.id)
    expect(inClinic.length).toBeGreaterThan(0)
    expect(doctors.map((u) => u.id)).toEqual(inClinic)
    expect(http.stats).toEqual({ requests: 3, retries: 0 })
  })

  it('answers 422 with an errors body to a limit over 100 or a bad offset', async () => {
    const { authed } = setup()
    const tooBig = await authed('/api/v2/clients?limit=101')
    expect(tooBig.status).toBe(422)
    expect(await tooBig.json()).toEqual({ errors: { limit: ['errors.less_than_or_equal_to_100'] } })
    expect((await authed('/api/v2/clients?offset=-1')).status).toBe(422)
  })

  it('filters appointments on the hidden update time, strictly unless told otherwise', async () => {
    const { sandbox, authed } = setup()
    const changedAt = NOW + 10_000
    const clock = { now: changedAt }
    const later = createMedodsSandbox({ now: () => clock.now })
    const after = Math.floor(changedAt / 1000)
    later.updateAppointment(5003, { status: 'paid' })
    const token = await medodsToken(DEMO_KEY.identity, DEMO_KEY.secretKey, clock.now)
    const fetchLater = async (q: string) =>
      (await (await later.app.fetch(new Request(`${SANDBOX_ORIGIN}/api/v2/appointments?${q}`, { headers: { authorization: `Bearer ${token}` } }))).json()) as any
    expect((await fetchLater(`updatedAtAfter=${after - 1}`)).data.map((a: any) => a.id)).toEqual([5003])
    expect((await fetchLater(`updatedAtAfter=${after}`)).data).toEqual([])

    const inclusive = createMedodsSandbox({ now: () => clock.now, updatedAtAfterInclusive: true })
    inclusive.updateAppointment(5004, { status: 'arrived' })
    const res = await inclusive.app.fetch(
      new Request(`${SANDBOX_ORIGIN}/api/v2/appointments?updatedAtAfter=${after}`, { headers: { authorization: `Bearer ${token}` } })
    )
    expect(((await res.json()) as any).data.map((a: any) => a.id)).toEqual([5004])
    expect((await authed('/api/v2/appointments?updatedAtAfter=soon')).status).toBe(422)
    expect(sandbox.data.appointments).toHaveLength(150)
  })
})

describe('sandbox data', () => {
  it('is the same clinic for the same seed and clock, and a different one for another seed', () => {
    const a = createMedodsSandbox({ seed: 7, now: () => NOW }).data
    const b = createMedodsSandbox({ seed: 7, now: () => NOW }).data
    const c = createMedodsSandbox({ seed: 8, now: () => NOW }).data
    expect(b.appointments).toEqual(a.appointments)
    expect(b.clients).toEqual(a.clients)
    expect(c.appointments).not.toEqual(a.appointments)
  })

  it('has every status, an online-booking source, Medods phones and orders with entries and a total', () => {
    const { data } = createMedodsSandbox({ now: () => NOW })
    expect(new Set(data.appointments.map((a) => a.status))).toEqual(new Set(APPOINTMENT_STATUSES))
    expect(data.sources.find((s) => s.id === ONLINE_SOURCE_ID)?.title).toBe('Онлайн-запись')
    expect(data.appointments.some((a) => a.appointmentSourceId === ONLINE_SOURCE_ID)).toBe(true)
    for (const client of data.clients) {
      expect(client.phone).toMatch(/^7\d{10}$/)
      expect(client.email).toMatch(/@/)
    }
    const paid = data.appointments.filter((a) => a.status === 'paid' || a.status === 'billed')
    expect(paid.every((a) => a.orderId !== null)).toBe(true)
    for (const order of data.orders) {
      const lines = data.entries.filter((e) => e.orderId === order.id)
      expect(lines.length).toBeGreaterThan(0)
      expect(order.total).toBe(lines.reduce((sum, e) => sum + e.finalsum, 0))
    }
  })

  it('serves an order with its entries, and 404 for an unknown one', async () => {
    const { sandbox, authed } = setup()
    const order = sandbox.data.orders[0]!
    const body = (await (await authed(`/api/v2/orders/${order.id}`)).json()) as any
    expect(body).toMatchObject({ id: order.id, total: order.total })
    expect(body.entries.length).toBeGreaterThan(0)
    expect((await authed('/api/v2/orders/1')).status).toBe(404)
  })
})

describe('sandbox faults', () => {
  it('answers 429 with Retry-After, then 5xx, then normally', async () => {
    const { sandbox, authed } = setup()
    sandbox.faults.rateLimited = { times: 1, retryAfterSeconds: 7 }
    sandbox.faults.serverErrors = { times: 1, status: 503 }
    const limited = await authed('/api/v2/clinics')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect((await authed('/api/v2/clinics')).status).toBe(503)
    expect((await authed('/api/v2/clinics')).status).toBe(200)
    expect(sandbox.requests.map((r) => r.status)).toEqual([429, 503, 200])
  })

  it('answers late when slow, and serves a record broken when told to', async () => {
    const { sandbox, authed } = setup()
    sandbox.faults.slow = { times: 1, delayMs: 150 }
    const started = Date.now()
    expect((await authed('/api/v2/clinics')).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    sandbox.faults.malformed.add('clients/1001')
    const body = (await (await authed('/api/v2/clients/1001')).json()) as any
    expect(body.id).toBe(1001)
    expect(typeof body.surname).toBe('number')
  })
})

describe('sandbox online booking', () => {
  it('serves a booking form that needs no API key', async () => {
    const { get } = setup()
    const res = await get('/online/')
    expect(res.status).toBe(200)
    expect(res.headers.get('x-frame-options')).toBeNull()
    const html = await res.text()
    expect(html).toContain('<form method="post" action="/online/appointments">')
    expect(html).toMatch(/name="doctorId"[\s\S]*name="slot"[\s\S]*name="phone"/)
  })

  it('creates a need_approval appointment from the online source that the API then lists', async () => {
    const { sandbox, authed } = setup()
    const slot = '2025-05-21 10:00'
    const form = new URLSearchParams({ doctorId: '160', slot, surname: 'Сидорова', name: 'Вера', phone: '+7 (900) 123-45-67', email: 'vera@example.com', comment: 'sid:abc' })
    const res = await sandbox.app.fetch(new Request(`${SANDBOX_ORIGIN}/online/appointments`, { method: 'POST', body: form }))
    expect(res.status).toBe(201)
    const id = Number(/data-appointment-id="(\d+)"/.exec(await res.text())?.[1])
    const listed = (await (await authed(`/api/v2/appointments?updatedAtAfter=${nowSeconds - 1}`)).json()) as any
    const booked = listed.data.find((a: any) => a.id === id)
    expect(booked).toMatchObject({
      status: 'need_approval',
      appointmentSourceId: ONLINE_SOURCE_ID,
      userId: 160,
      date: '2025-05-21',
      time: '10:00',
      clientComment: 'sid:abc',
      createdAt: '2025-05-20T12:00:00+03:00',
    })
    const client = (await (await authed(`/api/v2/clients/${booked.clientId}`)).json()) as any
    expect(client).toMatchObject({ phone: '79001234567', email: 'vera@example.com', surname: 'Сидорова' })
  })

  it('answers 422 with the form again for a bad phone or a taken slot', async () => {
    const { sandbox } = setup()
    const input = { doctorId: 160, slot: '2025-05-21 10:00', surname: 'А', name: 'Б', phone: '79001234567' }
    expect('appointment' in sandbox.book(input)).toBe(true)
    expect(sandbox.book(input)).toEqual({ error: 'Это время уже занято' })
    const form = new URLSearchParams({ doctorId: '160', slot: '2025-05-21 11:00', surname: 'А', name: 'Б', phone: '12' })
    const res = await sandbox.app.fetch(new Request(`${SANDBOX_ORIGIN}/online/appointments`, { method: 'POST', body: form }))
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('role="alert"')
  })
})
