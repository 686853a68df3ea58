import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { api } from './helpers'

type Page = { data: { id: string; domain: string; siteKey: string }[]; nextCursor: string | null }

beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare("INSERT INTO accounts (id) VALUES ('acc-a'), ('acc-b')"),
    ...Array.from({ length: 5 }, (_, i) =>
      env.DB.prepare(
        'INSERT INTO sites (id, account_id, name, domain, site_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
      ).bind(`site-a${i}`, 'acc-a', `A${i}`, `a${i}.clinic.ru`, `key-a${i}`, 1_700_000_000_000 + i, 1_700_000_000_000)
    ),
    env.DB.prepare(
      "INSERT INTO sites (id, account_id, name, domain, site_key) VALUES ('site-b', 'acc-b', 'B', 'b.clinic.ru', 'key-b')"
    ),
  ])
})

describe('GET /api/v1/sites', () => {
  it("lists only the token's account's sites", async () => {
    const res = await api('acc-b', '/api/v1/sites')
    expect(res.status).toBe(200)
    const page = (await res.json()) as Page
    expect(page.data.map((s) => s.id)).toEqual(['site-b'])
    expect(page.data[0]).toMatchObject({ domain: 'b.clinic.ru', siteKey: 'key-b' })
  })

  it('walks the pages in creation order with no duplicates and no gaps', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2'
      const page = (await (await api('acc-a', `/api/v1/sites${query}`)).json()) as Page
      expect(page.data.length).toBeLessThanOrEqual(2)
      seen.push(...page.data.map((s) => s.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(['site-a0', 'site-a1', 'site-a2', 'site-a3', 'site-a4'])
  })

  it('answers 400 naming the field for an invalid limit or cursor', async () => {
    const tooBig = await api('acc-a', '/api/v1/sites?limit=100000')
    expect(tooBig.status).toBe(400)
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(/^limit:/)

    const forged = await api('acc-a', '/api/v1/sites?cursor=%%%')
    expect(forged.status).toBe(400)
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/^cursor:/)
  })
})
