import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, cookieFor } from './helpers'
import { requestRow, setUpAccount, type Account } from './support/api-rows'
import { randomSecret, send } from './settings-helpers'

// Issue 17, item 4: the requests page filters, totals and exports; the deals page reads newest first.

const DAY = 86_400_000
const T0 = Date.parse('2026-11-10T09:00:00+03:00')
let account: Account
let second: string
let cookie: string

/** Five requests: three of the first integration (two tied to a visit), two of the second (defaults). */
beforeAll(async () => {
  account = await setUpAccount('acc-raw-pages')
  const other = await send(account.id, 'POST', '/api/v1/integrations', {
    uid: 'https://raw-second.medods.ru/',
    identity: 'second',
    secretKey: randomSecret(),
  })
  second = other.body.id
  const of = (integrationId: string) => ({ ...account, integrationId })
  await env.DB.batch([
    requestRow(account, T0, 'r1', { match_method: 'session_id', name: 'Анна', phone: '79990000001' }),
    requestRow(account, T0 + DAY, 'r2', { match_method: 'contact', name: '=HYPERLINK("x")' }),
    requestRow(account, T0 + 2 * DAY, 'r3', { match_method: 'default', default_reason: 'ambiguous' }),
    requestRow(of(second), T0 + 3 * DAY, 'r4', { match_method: 'default', campaign_id: null, source_id: account.sourceId, site_id: account.siteId }),
    requestRow(of(second), T0 + 4 * DAY, 'r5', { match_method: 'default', name: 'Ольга; "Ли"' }),
  ])
  cookie = await cookieFor(account.id)
})

const page = async (query: string) => (await call(`/app/requests${query}`, { headers: { cookie } })).text()
const appointmentsIn = (html: string) => [...html.matchAll(/data-appointment="(\d+)"/g)].map((m) => Number(m[1]))
const idsOf = async (ids: string[]) => {
  const { results } = await env.DB.prepare(
    `SELECT id, medods_appointment_id AS a FROM requests WHERE id IN (${ids.map(() => '?').join(',')})`
  )
    .bind(...ids)
    .all<{ id: string; a: number }>()
  return ids.map((id) => results.find((r) => r.id === id)!.a)
}

/** A CSV as Excel reads it: the UTF-8 BOM, `;` cells, quoted, CRLF rows. */
async function parseCsv(res: Response): Promise<string[][]> {
  const bytes = new Uint8Array(await res.arrayBuffer())
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  const text = new TextDecoder('utf-8', { ignoreBOM: true, fatal: false }).decode(bytes)
  const rows: string[][] = []
  const cells = /"((?:[^"]|"")*)"(;|\r\n)/g
  let row: string[] = []
  for (const match of text.slice(1).matchAll(cells)) {
    row.push(match[1]!.replace(/""/g, '"'))
    if (match[2] === '\r\n') {
      rows.push(row)
      row = []
    }
  }
  return rows
}

describe('Сырые данные → Обращения и цели', () => {
  it('filters by integration, campaign, source and match method, with totals for the filter', async () => {
    const all = await page('')
    expect(appointmentsIn(all)).toEqual(await idsOf(['r5', 'r4', 'r3', 'r2', 'r1']))
    expect(all).toContain('data-total="5"')
    expect(all).toContain('data-tied="2"')
    expect(all).toContain('<th>Интеграция</th>')
    expect(all).toContain('raw-second.medods.ru')

    expect(appointmentsIn(await page(`?integrationId=${second}`))).toEqual(await idsOf(['r5', 'r4']))
    expect(appointmentsIn(await page(`?sourceId=${account.sourceId}`))).toEqual(await idsOf(['r4']))
    expect(appointmentsIn(await page(`?campaignId=${account.campaignId}&matchMethod=default`))).toEqual(
      await idsOf(['r5', 'r3'])
    )
    const dated = await page('?from=2026-11-11&to=2026-11-12&matchMethod=default')
    expect(appointmentsIn(dated)).toEqual(await idsOf(['r3']))
    expect(dated).toContain('data-total="1"')
    expect(dated).toContain('онлайн-запись была открыта у нескольких посетителей')
    // A filter value of another account, or junk, matches nothing and breaks nothing.
    expect(appointmentsIn(await page('?campaignId=not-mine&matchMethod=bogus'))).toEqual([])
  })

  it('pages keep the filter', async () => {
    const filtered = await page(`?integrationId=${account.integrationId}`)
    expect(filtered).not.toContain('rel="next"')
    expect(filtered).toContain(`/app/requests/export.csv?integrationId=${account.integrationId}`)
  })

  it('exports the filtered list as CSV that Excel opens: BOM, Russian headers, formulas kept as text', async () => {
    const res = await call(`/app/requests/export.csv?campaignId=${account.campaignId}`, { headers: { cookie } })
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toContain('attachment')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const [header, ...rows] = await parseCsv(res)
    expect(header!.slice(0, 3)).toEqual(['Создана (МСК)', 'Имя', 'Телефон'])
    expect(rows.map((r) => Number(r.at(-1)))).toEqual(await idsOf(['r5', 'r3', 'r2', 'r1']))
    expect(rows.map((r) => r[1])).toEqual(['Ольга; "Ли"', '', `'=HYPERLINK("x")`, 'Анна'])
    expect(rows[3]![2]).toBe('79990000001')
    expect(rows[1]![6]).toBe('онлайн-запись была открыта у нескольких посетителей')

    const foreign = await call('/app/requests/export.csv', { headers: { cookie: await cookieFor('acc-raw-pages-other') } })
    expect(await parseCsv(foreign)).toHaveLength(1)
  })
})

describe('Сырые данные → Сделки', () => {
  it('lists newest first, with the linked request and its campaign, an unknown amount as —', async () => {
    const insert = (id: string, appointment: number, at: number, amount: number | null) =>
      env.DB.prepare(
        `INSERT INTO deals (id, account_id, integration_id, medods_appointment_id, pipeline_id, stage_id, title,
           amount, created_at, created_at_known, modified_at, stage_changed_at)
         VALUES (?, ?, ?, ?, ?, ?, 'Приём', ?, ?, 1, ?, ?)`
      ).bind(id, account.id, account.integrationId, appointment, account.pipelineId, account.stageId, amount, at, at, at)
    const [r1] = await idsOf(['r1'])
    await env.DB.batch([insert('d-old', r1!, T0, 1500), insert('d-new', 999_001, T0 + DAY, null)])
    const html = await (await call('/app/deals', { headers: { cookie } })).text()
    expect(appointmentsIn(html)).toEqual([999_001, r1])
    const rows = html.split('<tr data-appointment=').slice(1)
    expect(rows[0]).toContain('>—<')
    expect(rows[0]).not.toContain('0 ₽')
    expect(rows[0]).toContain('не онлайн-запись')
    expect(rows[1]).toContain('1 500 ₽'.replace(' ', '\u00a0'))
    expect(rows[1]).toContain('Директ')
  })
})
