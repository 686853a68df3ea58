import { describe, expect, it } from 'vitest'
import { createMedodsClient } from '../../edge/medods/client'
import { MedodsAuthError, MedodsError, MedodsResponseError, MedodsUnavailableError } from '../../edge/medods/errors'
import { DEMO_KEY, NO_RIGHTS_KEY, ONLINE_SOURCE_ID } from '../../sandbox/medods'
import { allPages, sandboxClient, sandboxFetch, SANDBOX_ORIGIN, SANDBOX_UID } from './support/medods-sandbox'

describe('Medods client against the sandbox', () => {
  it('pages through every appointment with limit 100 and a signed token', async () => {
    const { sandbox, client } = sandboxClient()
    const pages = await allPages(client.appointments())
    expect(pages.map((p) => [p.offset, p.items.length, p.totalItems])).toEqual([
      [0, 100, 150],
      [100, 50, 150],
    ])
    expect(pages.flatMap((p) => p.items.map((a) => a.id))).toEqual(sandbox.data.appointments.map((a) => a.id))
    expect(sandbox.requests.map((r) => r.query)).toEqual(['?limit=100&offset=0', '?limit=100&offset=100'])
    expect(client.stats).toEqual({ requests: 2, retries: 0, malformedSkipped: 0 })
  })

  it('serves createdAt as Moscow wall-clock time without an offset when asked to', async () => {
    const { sandbox, client } = sandboxClient({ createdAtWithoutOffset: true })
    const [page] = await allPages(client.appointments())
    const first = page!.items[0]!
    expect(first.createdAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    expect(sandbox.data.appointments[0]!.createdAt).toBe(`${String(first.createdAt).replace(' ', 'T')}+03:00`)
  })

  it('passes updatedAtAfter and resumes from a stored offset', async () => {
    const { sandbox, client } = sandboxClient()
    const changed = sandbox.updateAppointment(5010, { status: 'paid' })
    const fresh = await allPages(client.appointments({ updatedAtAfter: Math.floor(Date.now() / 1000) - 2 }))
    expect(fresh.flatMap((p) => p.items)).toMatchObject([{ id: changed.id, status: 'paid' }])
    const resumed = await allPages(client.appointments({}, 100))
    expect(resumed.map((p) => p.offset)).toEqual([100])
  })

  it('reads sources, patients, doctors, orders and entries', async () => {
    const { sandbox, client } = sandboxClient()
    const sources = (await allPages(client.appointmentSources())).flatMap((p) => p.items)
    expect(sources.find((s) => s.id === ONLINE_SOURCE_ID)?.title).toBe('Онлайн-запись')
    const patient = sandbox.data.clients[0]!
    expect(await client.client(patient.id)).toMatchObject({ id: patient.id, phone: patient.phone })
    const doctor = sandbox.data.users[0]!
    expect(await client.user(doctor.id)).toMatchObject({ id: doctor.id, surname: doctor.surname })
    const order = sandbox.data.orders[0]!
    const read = await client.order(order.id)
    expect(read?.total).toBe(order.total)
    expect(read?.entries?.length).toBeGreaterThan(0)
    const entries = (await allPages(client.entries({ orderId: order.id }))).flatMap((p) => p.items)
    expect(entries.reduce((sum, e) => sum + (e.finalsum ?? 0), 0)).toBe(order.total)
    expect(await client.client(999_999)).toBeNull()
  })

  it('accepts appointments without createdAt, note or clientComment', async () => {
    const { sandbox, client } = sandboxClient({ withCreatedAt: false })
    for (const a of sandbox.data.appointments) {
      delete (a as { note?: string }).note
      delete (a as { clientComment?: string }).clientComment
    }
    const [page] = await allPages(client.appointments())
    expect(page?.items).toHaveLength(100)
    expect(page?.items[0]?.createdAt).toBeUndefined()
  })

  it('skips and reports a malformed record with its id, keeping the rest of the page', async () => {
    const reported: unknown[] = []
    const { sandbox, client } = sandboxClient({}, { onMalformed: (r) => reported.push(r) })
    sandbox.faults.malformed.add('appointments/5002').add('appointments/5120')
    const pages = await allPages(client.appointments())
    expect(pages.map((p) => p.items.length)).toEqual([99, 49])
    expect(pages.flatMap((p) => p.skipped.map((s) => s.id))).toEqual([5002, 5120])
    expect(reported).toHaveLength(2)
    expect(reported[0]).toMatchObject({ resource: 'appointments', id: 5002, problem: expect.stringMatching(/date|status/) })
    expect(client.stats.malformedSkipped).toBe(2)
    sandbox.faults.malformed.add('clients/1001')
    expect(await client.client(1001)).toBeNull()
    expect(client.stats.malformedSkipped).toBe(3)
  })

  it('reports a record without an id as id null', async () => {
    const body = JSON.stringify({ data: [{ title: 'x' }, { id: 1, title: 'Администратор' }], totalItems: 2 })
    const client = createMedodsClient(
      { uid: SANDBOX_UID, identity: 'i', secretKey: 's' },
      { allowLocal: true, fetch: async () => new Response(body) }
    )
    const [page] = await allPages(client.appointmentSources())
    expect(page?.items).toEqual([{ id: 1, title: 'Администратор' }])
    expect(page?.skipped).toMatchObject([{ resource: 'appointments/sources', id: null }])
  })

  it('waits as long as Retry-After says on 429, then goes on', async () => {
    const { sandbox, client, waits } = sandboxClient()
    sandbox.faults.rateLimited = { times: 2, retryAfterSeconds: 3 }
    const [page] = await allPages(client.appointmentSources())
    expect(page?.items).toHaveLength(4)
    expect(waits).toEqual([3000, 3000])
    expect(client.stats).toMatchObject({ requests: 3, retries: 2 })
  })

  it('retries 5xx and network errors with capped exponential backoff', async () => {
    const { sandbox, client, waits } = sandboxClient({}, { retry: { baseDelayMs: 1000, maxDelayMs: 3000, maxAttempts: 6 } })
    sandbox.faults.serverErrors = { times: 4, status: 502 }
    await allPages(client.appointmentSources())
    expect(waits).toEqual([1000, 2000, 3000, 3000])

    // A connection that drops twice before the sandbox answers.
    const flaky = sandboxClient()
    const toSandbox = sandboxFetch(flaky.sandbox)
    let drops = 2
    const client2 = createMedodsClient(
      { uid: SANDBOX_UID, identity: DEMO_KEY.identity, secretKey: DEMO_KEY.secretKey },
      {
        allowLocal: true,
        sleep: async () => {},
        fetch: async (input, init) => {
          if (drops-- > 0) throw new TypeError('Network connection lost')
          return toSandbox(input, init)
        },
      }
    )
    expect((await allPages(client2.appointmentSources()))[0]?.items).toHaveLength(4)
    expect(client2.stats).toMatchObject({ requests: 3, retries: 2 })
  })

  it('gives up with MedodsUnavailableError once the run budget is spent', async () => {
    const { sandbox, client } = sandboxClient({}, { retry: { budget: 3 } })
    sandbox.faults.serverErrors = { times: Infinity, status: 500 }
    const error = await allPages(client.appointmentSources()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MedodsUnavailableError)
    expect(error).toMatchObject({ reason: 'server_error' })
    expect(client.stats).toMatchObject({ requests: 4, retries: 3 })
    // The budget is per run: the next call gets no retries at all.
    await expect(client.client(1001)).rejects.toBeInstanceOf(MedodsUnavailableError)
    expect(client.stats.requests).toBe(5)
  })

  it('does not wait for a Retry-After beyond its cap', async () => {
    const { sandbox, client, waits } = sandboxClient({}, { retry: { maxRetryAfterMs: 60_000 } })
    sandbox.faults.rateLimited = { times: 1, retryAfterSeconds: 3600 }
    await expect(allPages(client.appointmentSources())).rejects.toMatchObject({ reason: 'rate_limited' })
    expect(waits).toEqual([])
  })

  it('times out a hung request and retries it', async () => {
    const { sandbox, client } = sandboxClient({}, { timeoutMs: 40 })
    sandbox.faults.slow = { times: 1, delayMs: 400 }
    const [page] = await allPages(client.appointmentSources())
    expect(page?.items).toHaveLength(4)
    expect(client.stats).toMatchObject({ requests: 2, retries: 1 })

    sandbox.faults.slow = { times: Infinity, delayMs: 400 }
    await expect(allPages(client.appointmentSources())).rejects.toMatchObject({ reason: 'timeout' })
  })

  it('raises MedodsAuthError without retrying on 401 and 403', async () => {
    const { sandbox, client } = sandboxClient({ keys: [] })
    const denied = await allPages(client.appointments()).catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(MedodsAuthError)
    expect(denied).toMatchObject({ status: 401 })
    expect(sandbox.requests).toHaveLength(1)

    const noRights = sandboxClient({}, {}, NO_RIGHTS_KEY)
    await expect(allPages(noRights.client.appointments())).rejects.toMatchObject({ name: 'MedodsAuthError', status: 403 })
    expect(noRights.client.stats).toMatchObject({ requests: 1, retries: 0 })
  })

  it('rejects an answer that is not a Medods list', async () => {
    const client = createMedodsClient(
      { uid: SANDBOX_UID, identity: 'i', secretKey: 's' },
      { allowLocal: true, fetch: async () => new Response('<html>Клиника</html>') }
    )
    await expect(allPages(client.appointmentSources())).rejects.toBeInstanceOf(MedodsResponseError)
  })

  it('only ever calls hosts the UID allow-list accepts', () => {
    const creds = { identity: 'i', secretKey: 's' }
    expect(() => createMedodsClient({ ...creds, uid: 'https://evil.example/' }, { allowLocal: true })).toThrow(MedodsError)
    expect(() => createMedodsClient({ ...creds, uid: SANDBOX_UID }, { allowLocal: false })).toThrow(/medods\.ru/)
    expect(SANDBOX_ORIGIN).toBe('http://127.0.0.1:8788')
  })

  it('calls the API base of the UID, with a bearer token and asking for JSON', async () => {
    const seen: Request[] = []
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init))
      return Response.json({ data: [], totalItems: 0 })
    }
    const client = createMedodsClient({ uid: 'beta45', identity: 'i', secretKey: 's' }, { allowLocal: false, fetch })
    expect(await client.probe('clinics')).toEqual({ totalItems: 0 })
    expect(seen.map((r) => r.url)).toEqual(['https://beta45.medods.ru/api/v2/clinics?limit=1&offset=0'])
    expect(seen[0]!.headers.get('authorization')).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    expect(seen[0]!.headers.get('accept')).toBe('application/json')
    expect(seen[0]!.redirect).toBe('manual')
  })

  it('answers null for a 404 record and raises on another 4xx or a body that is not JSON', async () => {
    const answers = [
      Response.json({ errors: ['errors.not_found'] }, { status: 404 }),
      Response.json({ errors: { limit: ['errors.less_than_or_equal_to_100'] } }, { status: 422 }),
      new Response('{"id": 1, "tot'),
    ]
    const client = createMedodsClient(
      { uid: SANDBOX_UID, identity: 'i', secretKey: 's' },
      { allowLocal: true, fetch: async () => answers.shift()! }
    )
    expect(await client.order(1)).toBeNull()
    const refused = client.order(2)
    await expect(refused).rejects.toThrow(/HTTP 422/)
    // The error body is never echoed: a server that mirrors the request would hand back the token.
    await expect(refused).rejects.not.toThrow(/less_than_or_equal/)
    await expect(client.order(3)).rejects.toThrow(/HTTP 200.*not JSON/)
    expect(client.stats).toEqual({ requests: 3, retries: 0, malformedSkipped: 0 })
  })

  it('never echoes an error body, even one that repeats the request and its token', async () => {
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get('authorization')
      return new Response(`you sent ${String(input)} with ${auth}`, { status: 400 })
    }
    const client = createMedodsClient({ uid: SANDBOX_UID, identity: 'i', secretKey: 's' }, { allowLocal: true, fetch })
    const error = await client.order(1).catch((err: Error) => err)
    expect(String(error)).toMatch(/HTTP 400/)
    expect(String(error)).not.toMatch(/Bearer|eyJ/)
  })

  it('stops reading an answer past the byte cap, streamed or declared', async () => {
    let pulled = 0
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 64 * 1024
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x20))
        },
      })
    const answers = [
      new Response(endless(), { headers: { 'content-type': 'application/json' } }),
      new Response('{}', { headers: { 'content-length': String(10 * 1024 * 1024) } }),
    ]
    const client = createMedodsClient(
      { uid: SANDBOX_UID, identity: 'i', secretKey: 's' },
      { allowLocal: true, maxBytes: 1024 * 1024, fetch: async () => answers.shift()! }
    )
    await expect(client.order(1)).rejects.toThrow(/larger than 1048576 bytes/)
    // The cap is what stopped the read: a little past 1 MiB was pulled, not the endless body.
    expect(pulled).toBeGreaterThan(1024 * 1024)
    expect(pulled).toBeLessThan(1.5 * 1024 * 1024)
    await expect(client.order(2)).rejects.toThrow(/larger than 1048576 bytes/)
  })

  it('times out a body that trickles in, not only the headers', async () => {
    const trickle = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        controller.enqueue(new TextEncoder().encode(' '))
      },
    })
    const client = createMedodsClient(
      { uid: SANDBOX_UID, identity: 'i', secretKey: 's' },
      { allowLocal: true, timeoutMs: 300, fetch: async () => new Response(trickle) }
    )
    const started = Date.now()
    await expect(client.order(1)).rejects.toThrow(/did not arrive in time/)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('ends a list whose pages repeat (offset ignored) and refuses a page larger than asked for', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, title: `Источник ${i}` }))
    let calls = 0
    const ignoring = createMedodsClient(
      { uid: SANDBOX_UID, identity: 'i', secretKey: 's' },
      {
        allowLocal: true,
        fetch: async () => {
          calls++
          return Response.json({ data: items, totalItems: 1e9 })
        },
      }
    )
    const pages = []
    for await (const page of ignoring.appointmentSources()) pages.push(page)
    expect(pages).toHaveLength(1)
    expect(calls).toBe(2)

    const oversized = Array.from({ length: 1500 }, (_, i) => ({ id: i + 1, title: `Источник ${i}` }))
    const flooding = createMedodsClient(
      { uid: SANDBOX_UID, identity: 'i', secretKey: 's' },
      { allowLocal: true, fetch: async () => Response.json({ data: oversized, totalItems: 1500 }) }
    )
    const read = async () => {
      for await (const page of flooding.appointmentSources()) void page
    }
    await expect(read()).rejects.toThrow(/a page of 1500 items, over the 100 asked for/)
    expect(flooding.stats.requests).toBe(1)
  })
})
