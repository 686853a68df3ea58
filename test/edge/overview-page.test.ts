import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, cookieFor } from './helpers'
import { requestRow, setUpAccount, type Account } from './support/api-rows'

// The overview over five known Moscow days (2026-11-01 … 05): bookings per day and rung, the share
// tied to a visit, top campaigns by bookings and by known revenue, the last runs, and isolation.

const PERIOD = '/app/overview?from=2026-11-01&to=2026-11-05'
const msk = (local: string) => Date.parse(`${local}+03:00`)

let own: Account
let other: Account
let promo: string // a second campaign of the own account
let third: string // a campaign whose only deal has no known amount
let appointment = 900_000

type Booking = {
  at: string
  method: string
  campaign?: string | null
  source?: string
  amount?: number | null
}

/** A request (and, when `amount` is given, even null, its deal) of `a`, both on the same appointment. */
function booking(a: Account, b: Booking, dealAccount = a) {
  const id = crypto.randomUUID()
  const medods = ++appointment
  const at = msk(b.at)
  const statements = [
    requestRow(a, at, id, {
      medods_appointment_id: medods,
      match_method: b.method,
      campaign_id: b.campaign === undefined ? a.campaignId : b.campaign,
      source_id: b.source ?? null,
    }),
  ]
  if (b.amount !== undefined)
    statements.push(deal(dealAccount, a.integrationId, medods, b.amount, at))
  return statements
}

const deal = (
  a: Account,
  integrationId: string,
  medods: number,
  amount: number | null,
  at: number
) =>
  env.DB.prepare(
    `INSERT INTO deals (id, account_id, integration_id, medods_appointment_id, pipeline_id, stage_id, title,
       amount, created_at, created_at_known, modified_at, stage_changed_at)
     VALUES (?, ?, ?, ?, ?, ?, 'Первичный прием', ?, ?, 1, ?, ?)`
  ).bind(
    crypto.randomUUID(),
    a.id,
    integrationId,
    medods,
    a.pipelineId,
    a.stageId,
    amount,
    at,
    at,
    at
  )

const campaign = (a: Account, id: string, name: string) =>
  env.DB.prepare(
    `INSERT INTO campaigns (id, account_id, name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)`
  ).bind(id, a.id, name)

const run = (
  a: Account,
  integrationId: string,
  kind: string,
  status: string,
  at: number,
  error?: string
) =>
  env.DB.prepare(
    `INSERT INTO import_runs (id, account_id, integration_id, kind, trigger, status, updated_at_after,
       created_at, progress_at, error)
     VALUES (?, ?, ?, ?, 'cron', ?, 0, ?, ?, ?)`
  ).bind(crypto.randomUUID(), a.id, integrationId, kind, status, at, Date.now(), error ?? null)

beforeAll(async () => {
  own = await setUpAccount('acct-overview')
  other = await setUpAccount('acct-overview-other')
  promo = crypto.randomUUID()
  third = crypto.randomUUID()
  const foreignCampaign = crypto.randomUUID()
  const deleted = crypto.randomUUID()
  await env.DB.batch([
    campaign(own, promo, 'Акция'),
    campaign(own, third, 'Баннер'),
    campaign(other, foreignCampaign, 'Чужая кампания'),
    // 2026-11-01: two by session id (Акция, 5 000 and 7 000 ₽), one default at 00:30 Moscow time.
    ...booking(own, {
      at: '2026-11-01T10:00:00',
      method: 'session_id',
      campaign: promo,
      amount: 5000,
    }),
    ...booking(own, {
      at: '2026-11-01T11:00:00',
      method: 'session_id',
      campaign: promo,
      amount: 7000,
    }),
    ...booking(own, { at: '2026-11-01T00:30:00', method: 'default' }),
    // 2026-11-02: one by contact, two defaults (1 000 and 1 500 ₽), one of them at 00:30 Moscow time.
    ...booking(own, { at: '2026-11-02T09:00:00', method: 'contact', campaign: promo }),
    ...booking(own, { at: '2026-11-02T00:30:00', method: 'default', amount: 1000 }),
    ...booking(own, { at: '2026-11-02T18:00:00', method: 'default', amount: 1500 }),
    // 2026-11-03: nothing. 2026-11-04: one by the booking window (amount unknown), three defaults.
    ...booking(own, {
      at: '2026-11-04T12:00:00',
      method: 'booking_window',
      campaign: promo,
      amount: null,
    }),
    ...booking(own, { at: '2026-11-04T12:10:00', method: 'default' }),
    ...booking(own, { at: '2026-11-04T12:20:00', method: 'default' }),
    ...booking(own, { at: '2026-11-04T12:30:00', method: 'default' }),
    // 2026-11-05: a default by source, one by session id at 23:59 Moscow time, one by contact (Баннер,
    // amount unknown).
    ...booking(own, {
      at: '2026-11-05T08:00:00',
      method: 'default',
      campaign: null,
      source: own.sourceId,
    }),
    ...booking(own, { at: '2026-11-05T23:59:59', method: 'session_id', campaign: promo }),
    ...booking(own, {
      at: '2026-11-05T15:00:00',
      method: 'contact',
      campaign: third,
      amount: null,
    }),
    // Just outside the period on either side, in Moscow time (one with a large deal).
    ...booking(own, { at: '2026-10-31T23:59:59', method: 'default', amount: 1_000_000 }),
    ...booking(own, { at: '2026-11-06T00:00:00', method: 'session_id', campaign: promo }),
    // Another account: bookings inside the period, a deal, and a deal claiming our source's booking.
    ...booking(other, {
      at: '2026-11-02T10:00:00',
      method: 'session_id',
      campaign: foreignCampaign,
      amount: 99_999,
    }),
    ...booking(other, { at: '2026-11-03T10:00:00', method: 'contact', campaign: foreignCampaign }),
    // Runs: an older success, then a failure for requests; a deals run under way.
    run(own, own.integrationId, 'requests', 'succeeded', Date.now() - 7_200_000),
    run(own, own.integrationId, 'requests', 'failed', Date.now() - 3_600_000, 'key_rejected: 401'),
    run(own, own.integrationId, 'deals', 'running', Date.now() - 60_000),
    run(other, other.integrationId, 'requests', 'succeeded', Date.now()),
    // A deleted integration of our own, with a run: gone from the overview.
    env.DB.prepare(
      `INSERT INTO integrations (id, account_id, kind, uid, identity, secret_key_enc, deleted_at, created_at, updated_at)
       VALUES (?, ?, 'medods', 'https://gone.medods.ru/', 'gone', 'v1.unused', 1, 0, 0)`
    ).bind(deleted, own.id),
    run(own, deleted, 'requests', 'succeeded', Date.now()),
  ])
  // A foreign deal on our source-attributed booking's appointment (integration + id): never ours.
  const sourced = await env.DB.prepare(
    `SELECT medods_appointment_id AS medods FROM requests WHERE account_id = ? AND source_id IS NOT NULL`
  )
    .bind(own.id)
    .first<{ medods: number }>()
  await deal(other, own.integrationId, sourced!.medods, 55_555, msk('2026-11-05T08:00:00')).run()
})

const page = async (path: string, account = 'acct-overview') =>
  call(path, { headers: { cookie: await cookieFor(account) }, redirect: 'manual' })

const segmentsOf = (html: string) =>
  [...html.matchAll(/<rect [^>]*data-day="([^"]+)" data-series="([^"]+)" data-count="(\d+)"/g)].map(
    ([, day, series, count]) => `${day} ${series} ${count}`
  )

function dayRow(html: string, day: string) {
  const row = new RegExp(`<tr data-day="${day}">(.*?)</tr>`).exec(html)?.[1] ?? ''
  return Object.fromEntries(
    [...row.matchAll(/<t[dh] data-series="([^"]+)">(\d+)<\/t[dh]>/g)].map(([, s, n]) => [
      s,
      Number(n),
    ])
  )
}

/** A table's rows as "name bookings deals revenue", whitespace (the formats' no-break spaces) as one space. */
function tableRows(html: string, id: string) {
  const table = new RegExp(`<table id="${id}">(.*?)</table>`).exec(html)?.[1]
  if (table === undefined) return undefined
  return [...table.matchAll(/<tr data-id="[^"]+">(.*?)<\/tr>/g)].map(([, row]) =>
    row!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/gu, ' ')
      .trim()
  )
}

describe('pages: overview', () => {
  it('draws one bar segment per day and rung with bookings, in Moscow days, and tabulates the same numbers', async () => {
    const res = await page(PERIOD)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(segmentsOf(html).sort()).toEqual([
      '2026-11-01 default 1',
      '2026-11-01 session_id 2',
      '2026-11-02 contact 1',
      '2026-11-02 default 2',
      '2026-11-04 booking_window 1',
      '2026-11-04 default 3',
      '2026-11-05 contact 1',
      '2026-11-05 default 1',
      '2026-11-05 session_id 1',
    ])
    expect(html).toContain('<title>01.11.2026: По ID сессии — 2 из 3</title>')
    expect(dayRow(html, '2026-11-01')).toEqual({
      session_id: 2,
      contact: 0,
      booking_window: 0,
      default: 1,
      total: 3,
    })
    expect(dayRow(html, '2026-11-03')).toEqual({
      session_id: 0,
      contact: 0,
      booking_window: 0,
      default: 0,
      total: 0,
    })
    expect(dayRow(html, '2026-11-05')).toEqual({
      session_id: 1,
      contact: 1,
      booking_window: 0,
      default: 1,
      total: 3,
    })
    expect(dayRow(html, 'total')).toEqual({
      session_id: 3,
      contact: 2,
      booking_window: 1,
      default: 7,
      total: 13,
    })
    expect(html.match(/<tr data-day="2026-/g)).toHaveLength(5)
    // The legend says each series' count in words, so the chart reads without its colours.
    expect(html).toMatch(/<li data-series="default">.*?По умолчанию \(без визита\): 7<\/li>/)
  })

  it('gives the share of bookings tied to a visit (6 of 13)', async () => {
    const html = await (await page(PERIOD)).text()
    expect(html).toContain('data-share="0.4615"')
    expect(html).toMatch(/<strong>46,2\s%<\/strong>/u)
    expect(html).toContain('(6 из 13 заявок с 01.11.2026 по 05.11.2026)')
  })

  it('ranks campaigns by bookings and by known revenue, never counting an unknown amount as 0', async () => {
    const html = await (await page(PERIOD)).text()
    expect(tableRows(html, 'top-campaigns-bookings')).toEqual([
      'Директ 6 2 2 500 ₽',
      'Акция 5 3 12 000 ₽ без суммы: 1',
      'Баннер 1 1 — без суммы: 1',
    ])
    expect(tableRows(html, 'top-campaigns-revenue')).toEqual([
      'Акция 5 3 12 000 ₽ без суммы: 1',
      'Директ 6 2 2 500 ₽',
    ])
    expect(tableRows(html, 'top-sources-bookings')).toEqual(['Телефон 1 0 —'])
    expect(tableRows(html, 'top-sources-revenue')).toBeUndefined()
    expect(html).toContain('Нет сделок с известной суммой.')
  })

  it("shows none of another account's rows, and no deleted integration", async () => {
    const html = await (await page(PERIOD)).text()
    expect(html).not.toContain('Чужая кампания')
    expect(html).not.toMatch(/99\s999|55\s555|1\s000\s000/u)
    expect(html).not.toContain(other.integrationId)
    expect(html).not.toContain('gone.medods.ru')

    const theirs = await (await page(PERIOD, 'acct-overview-other')).text()
    expect(segmentsOf(theirs).sort()).toEqual(['2026-11-02 session_id 1', '2026-11-03 contact 1'])
    expect(theirs).not.toContain('Акция')
    expect(theirs).not.toContain(own.integrationId)
  })

  it('lists the last run of each kind per integration, in Russian, linked to the integration page', async () => {
    const html = await (await page(PERIOD)).text()
    const row =
      new RegExp(`<tr data-integration="${own.integrationId}">(.*?)</tr>`).exec(html)?.[1] ?? ''
    expect(row).toContain(`<a href="/app/integrations/${own.integrationId}">`)
    expect(row).toMatch(/<td data-status="failed">ошибка, /)
    expect(row).toContain('Medods не принял ключ API')
    expect(row).toMatch(/<td data-status="running">выполняется, /)
    expect(html.match(/<tr data-integration=/g)).toHaveLength(1)
  })

  it('shows the last 30 Moscow days by default, and / leads to the overview', async () => {
    const res = await page('/app/overview')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html.match(/<tr data-day="\d{4}-/g)).toHaveLength(30)
    const today = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10)
    expect(html).toContain(`id="to" name="to" value="${today}"`)
    expect(html).toContain('aria-current="page">Обзор</a>')

    const root = await page('/app')
    expect(root.status).toBe(303)
    expect(root.headers.get('location')).toBe('/app/overview')
  })

  it('answers a bad date with 400 and the error next to its field, and an inverted period the same', async () => {
    const bad = await page('/app/overview?from=2026-13-01&to=2026-11-05')
    expect(bad.status).toBe(400)
    const html = await bad.text()
    expect(html).toMatch(
      /<div class="error" id="from-error" role="alert">Дата в формате ГГГГ-ММ-ДД<\/div>/
    )
    expect(html).not.toContain('<rect ')

    const inverted = await page('/app/overview?from=2026-11-05&to=2026-11-01')
    expect(inverted.status).toBe(400)
    expect(await inverted.text()).toContain(
      'id="to-error" role="alert">Конец периода раньше его начала<'
    )
  })

  it('says what to do next: without an integration, a link to connect one; without bookings, says so', async () => {
    const res = await page('/app/overview', 'acct-overview-empty')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('id="no-integration"')
    expect(html).toContain('<a href="/app/integrations/new">')
    expect(html).toMatch(/id="no-bookings">Заявок с \d\d\.\d\d\.\d{4} по \d\d\.\d\d\.\d{4} нет\./)
    expect(html).not.toContain('<rect ')

    const quiet = await (await page('/app/overview?from=2026-12-01&to=2026-12-02')).text()
    expect(quiet).toContain('Заявок с 01.12.2026 по 02.12.2026 нет.')
    expect(quiet).not.toContain('id="no-integration"')
  })

  it('sends a person without a session to sign-in', async () => {
    const res = await call('/app/overview', { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/app\/sign-in/)
  })
})
