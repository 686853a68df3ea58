import { api } from './helpers'

export type Reply<T = any> = { status: number; text: string; body: T }

/** Every raw response body a test file saw, so it can assert what never appears in any of them. */
export const seenBodies: string[] = []

/** Calls the Worker as `accountId` with a JSON body and keeps the raw text of the answer. */
export async function send<T = any>(
  accountId: string,
  method: string,
  path: string,
  body?: unknown
): Promise<Reply<T>> {
  const init: RequestInit = { method }
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await api(accountId, path, init)
  const text = await res.text()
  seenBodies.push(text)
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined }
}

export const errorMessage = (reply: Reply): string => reply.body.error.message

/** A 64-hex SecretKey like the ones in Medods key files. */
export const randomSecret = () =>
  [...crypto.getRandomValues(new Uint8Array(32))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')

/** An account's catalogue for integration tests: two sites, a campaign and a source. */
export async function seedCatalogue(accountId: string) {
  const site = (domain: string, name: string) =>
    send(accountId, 'POST', '/api/v1/sites', { name, domain }).then((r) => r.body)
  return {
    siteA: (await site('a.clinic.ru', 'A')) as { id: string; siteKey: string },
    siteB: (await site('b.clinic.ru', 'B')) as { id: string; siteKey: string },
    campaignId: (await send(accountId, 'POST', '/api/v1/campaigns', { name: 'Без сессии' })).body
      .id as string,
    sourceId: (await send(accountId, 'POST', '/api/v1/sources', { name: 'Телефон' })).body.id as string,
  }
}

/** A clinic address of its own: an account connects each clinic once. */
export const clinicUid = () => `https://clinic-${crypto.randomUUID().slice(0, 8)}.medods.ru/`

/** A complete, valid integration body (a clinic of its own) with the given default campaign and SecretKey. */
export const validIntegration = (campaignId: string, secretKey: string) => ({
  kind: 'medods',
  uid: clinicUid(),
  identity: '00000000-0000-4000-8000-000000000001',
  secretKey,
  sendRequests: true,
  sendDeals: true,
  defaultAttribution: { kind: 'campaign', campaignId },
})
