import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { listImportableIntegrations } from '../../edge/db/queries'
import { createDb } from '../../edge/db/client'
import { runImportJob } from '../../edge/imports/run'
import { requestRow, setUpAccount } from './support/api-rows'
import { call, cookieFor, postForm } from './helpers'
import { errorMessage, randomSecret, send } from './settings-helpers'

// Issue 16, item 6: one integration per clinic and account, UIDs in every form a clinic copies, and a way out.

const connect = (account: string, uid: string) =>
  send(account, 'POST', '/api/v1/integrations', { uid, identity: 'identity', secretKey: randomSecret() })

const row = (id: string) =>
  env.DB.prepare('SELECT * FROM integrations WHERE id = ?').bind(id).first<Record<string, unknown>>()

const count = async (table: string, integrationId: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE integration_id = ?`)
    .bind(integrationId)
    .first<{ n: number }>())!.n

describe('the UID', () => {
  it.each(['https://Gamma7.medods.ru/', 'gamma7.medods.ru', 'GAMMA7', 'gamma7.medods.ru/patients'])(
    'reads %s as https://gamma7.medods.ru, and a second connection of it is a 409 naming the first',
    async (form) => {
      const account = `acc-uid-${form.toLowerCase().replace(/[^a-z0-9]/g, '')}`
      const first = await connect(account, 'https://gamma7.medods.ru')
      expect(first.status).toBe(201)
      const second = await connect(account, form)
      expect(second.status).toBe(409)
      expect(second.body.error.code).toBe('conflict')
      expect(errorMessage(second)).toContain(first.body.id)
      expect(errorMessage(second)).toMatch(/^uid: /)
    }
  )

  it('refuses the online-booking site with a hint, and plain http saying https is required', async () => {
    const booking = await connect('acc-uid-refusals', 'https://online-gamma7.medods.ru/')
    expect(booking.status).toBe(400)
    expect(errorMessage(booking)).toMatch(/^uid: .*online-booking site/)
    const bare = await connect('acc-uid-refusals', 'online-gamma7.medods.ru')
    expect(errorMessage(bare)).toMatch(/online-booking site/)
    const http = await connect('acc-uid-refusals', 'http://gamma7.medods.ru/')
    expect(http.status).toBe(400)
    expect(errorMessage(http)).toMatch(/^uid: https is required/)
  })

  it('lets another account connect the same clinic, and refuses a PATCH onto a clinic already connected', async () => {
    const a = await connect('acc-uid-a', 'delta3')
    const b = await connect('acc-uid-b', 'delta3')
    expect([a.status, b.status]).toEqual([201, 201])
    const other = await connect('acc-uid-a', 'epsilon4')
    const moved = await send('acc-uid-a', 'PATCH', `/api/v1/integrations/${other.body.id}`, { uid: 'delta3.medods.ru' })
    expect(moved.status).toBe(409)
    expect(errorMessage(moved)).toContain(a.body.id)
    const same = await send('acc-uid-a', 'PATCH', `/api/v1/integrations/${a.body.id}`, { uid: 'https://delta3.medods.ru/' })
    expect(same.status).toBe(200)
  })
})

describe('DELETE /api/v1/integrations/{id}', () => {
  it('erases the SecretKey, stops imports, keeps what was imported, and frees the clinic', async () => {
    const account = await setUpAccount('acc-delete-keep')
    await requestRow(account, Date.now(), crypto.randomUUID()).run()
    const path = `/api/v1/integrations/${account.integrationId}`
    await send(account.id, 'PATCH', path, { sendRequests: true, defaultAttribution: { kind: 'campaign', campaignId: account.campaignId } })

    expect((await send('acc-delete-other', 'DELETE', path)).status).toBe(404)
    const deleted = await send(account.id, 'DELETE', path)
    expect(deleted.status).toBe(204)
    expect(deleted.text).toBe('')

    expect((await send(account.id, 'GET', path)).status).toBe(404)
    expect((await send(account.id, 'DELETE', path)).status).toBe(404)
    expect((await send(account.id, 'PATCH', path, { active: true })).status).toBe(404)
    expect((await send(account.id, 'POST', `${path}/run`)).status).toBe(404)
    const list = await send(account.id, 'GET', '/api/v1/integrations')
    expect(list.body.data).toEqual([])
    const stored = await row(account.integrationId)
    expect(stored).toMatchObject({ secret_key_enc: '', secret_key_mask: '', active: 0, default_campaign_id: null })
    expect(stored!.deleted_at).toEqual(expect.any(Number))

    const requests = await send(account.id, 'GET', '/api/v1/requests')
    expect(requests.body.data.map((r: { integrationId: string }) => r.integrationId)).toEqual([account.integrationId])
    // The campaign it used as its default is no longer held by it.
    expect((await send(account.id, 'DELETE', `/api/v1/campaigns/${account.campaignId}`)).status).toBe(204)
    const importable = await listImportableIntegrations(createDb(env.DB))
    expect(importable.map((i) => i.id)).not.toContain(account.integrationId)
    await runImportJob({ env }, { kind: 'requests', integrationId: account.integrationId, scheduledAt: 1 })
    expect(await count('import_runs', account.integrationId)).toBe(0)

    const again = await connect(account.id, 'https://acc-delete-keep.medods.ru/')
    expect(again.status).toBe(201)
  })

  it('with ?purge=true deletes its requests, deals, pipelines and runs too, and nothing of another integration', async () => {
    const gone = await setUpAccount('acc-delete-purge')
    const kept = await setUpAccount('acc-delete-purge-kept')
    for (const account of [gone, kept]) {
      await requestRow(account, Date.now(), crypto.randomUUID()).run()
      await env.DB.prepare(
        `INSERT INTO import_runs (id, account_id, integration_id, kind, trigger, status, updated_at_after, created_at)
         VALUES (?, ?, ?, 'requests', 'manual', 'succeeded', 0, ?)`
      )
        .bind(crypto.randomUUID(), account.id, account.integrationId, Date.now())
        .run()
    }
    const reply = await send(gone.id, 'DELETE', `/api/v1/integrations/${gone.integrationId}?purge=true`)
    expect(reply.status).toBe(204)
    for (const table of ['requests', 'import_runs', 'pipelines']) {
      expect(await count(table, gone.integrationId)).toBe(0)
      expect(await count(table, kept.integrationId)).toBe(1)
    }
    expect(await row(gone.integrationId)).toBeNull()
    expect((await send(gone.id, 'DELETE', `/api/v1/integrations/${gone.integrationId}?purge=maybe`)).status).toBe(400)
  })
})

describe('the integration page', () => {
  it('says in Russian what is wrong with a UID, next to the field, keeping what was typed', async () => {
    const cookie = await cookieFor('acc-page-uid')
    expect((await connect('acc-page-uid', 'zeta9')).status).toBe(201)
    for (const [uid, words] of [
      ['online-zeta9.medods.ru', 'сайта онлайн-записи'],
      ['http://zeta9.medods.ru', 'https://'],
      ['zeta9.medods.ru', 'уже подключена'],
    ]) {
      const res = await postForm('/app/integrations', cookie, { uid: uid!, identity: 'my-identity', secretKey: 'k2' })
      expect(res.status).toBe(400)
      const html = await res.text()
      expect(html).toContain(words)
      expect(html).toContain('value="my-identity"')
    }
  })

  it('deletes after a confirmation, keeping the data unless the box is ticked', async () => {
    const account = await setUpAccount('acc-page-delete')
    await requestRow(account, Date.now(), crypto.randomUUID()).run()
    const cookie = await cookieFor(account.id)
    const page = await call(`/app/integrations/${account.integrationId}`, { headers: { cookie } })
    expect(await page.text()).toContain(`/app/integrations/${account.integrationId}/delete`)
    const confirm = await call(`/app/integrations/${account.integrationId}/delete`, { headers: { cookie } })
    expect(await confirm.text()).toContain('name="purge"')

    const other = await cookieFor('acc-page-delete-other')
    expect((await postForm(`/app/integrations/${account.integrationId}/delete`, other, {})).status).toBe(404)
    const res = await postForm(`/app/integrations/${account.integrationId}/delete`, cookie, {})
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/app/integrations?deleted=1')
    expect((await call(`/app/integrations/${account.integrationId}`, { headers: { cookie } })).status).toBe(404)
    expect(await count('requests', account.integrationId)).toBe(1)
  })
})
