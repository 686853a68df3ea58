import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { decryptSecret, encryptSecret } from '../../edge/crypto/secrets'
import { parseMedodsUid } from '../../edge/medods/uid'
import { randomSecret, send, seenBodies } from './settings-helpers'

const KEY = env.SECRETS_KEY
const OTHER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))

describe('encryptSecret / decryptSecret', () => {
  it('round-trips under the key, with a fresh IV each time', async () => {
    const secret = randomSecret()
    const a = await encryptSecret(secret, KEY)
    const b = await encryptSecret(secret, KEY)
    expect(a).not.toBe(b)
    expect(a).not.toContain(secret)
    expect(await decryptSecret(a, KEY)).toBe(secret)
    expect(await decryptSecret(b, KEY)).toBe(secret)
  })

  it('refuses a tampered ciphertext, a wrong key and a foreign format', async () => {
    const sealed = await encryptSecret('s3cret', KEY)
    const bytes = Uint8Array.from(atob(sealed.slice(3)), (ch) => ch.charCodeAt(0))
    bytes[bytes.length - 1]! ^= 1
    const tampered = `v1.${btoa(String.fromCharCode(...bytes))}`
    await expect(decryptSecret(tampered, KEY)).rejects.toThrow()
    await expect(decryptSecret(sealed, OTHER_KEY)).rejects.toThrow()
    await expect(decryptSecret('s3cret', KEY)).rejects.toThrow(/format/)
  })

  it('refuses a key that is not base64 of 32 bytes', async () => {
    await expect(encryptSecret('x', btoa('short'))).rejects.toThrow(/32 bytes/)
    await expect(encryptSecret('x', '%%%')).rejects.toThrow(/base64/)
  })
})

describe('parseMedodsUid', () => {
  it('accepts local sandbox UIDs only when allowed', () => {
    for (const uid of ['http://127.0.0.1:8788/', 'http://localhost:9000']) {
      expect(parseMedodsUid(uid, false)).toHaveProperty('error')
      expect(parseMedodsUid(uid, true)).toHaveProperty('origin', uid.replace(/\/$/, ''))
    }
  })

  it('never lets user info or a look-alike host through, allowed local or not', () => {
    for (const uid of [
      'https://evil.com@x.medods.ru',
      'https://x.medods.ru@evil.com',
      'https://x.medods.ru.evil.com',
      'http://user@127.0.0.1:8788/',
      'https://127.0.0.1:8788/',
    ]) {
      expect(parseMedodsUid(uid, true)).toHaveProperty('error')
    }
    expect(parseMedodsUid('beta45', false)).toEqual({
      origin: 'https://beta45.medods.ru',
      apiBase: 'https://beta45.medods.ru/api/v2/',
    })
  })
})

describe('the SecretKey never leaves', () => {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const
  let spies: MockInstance[] = []
  beforeEach(() => {
    spies = methods.map((m) => vi.spyOn(console, m))
  })
  afterEach(() => spies.forEach((spy) => spy.mockRestore()))

  it('appears in no response and no console line across every integration route', async () => {
    const acc = 'acc-secret'
    const secret = randomSecret()
    const rotated = randomSecret()
    const from = seenBodies.length
    const campaignId = (await send(acc, 'POST', '/api/v1/campaigns', { name: 'C' })).body.id
    await send(acc, 'POST', '/api/v1/sites', { name: 'S', domain: 's.ru' })
    const base = {
      uid: 'beta45',
      identity: 'id-1',
      secretKey: secret,
      sendRequests: true,
      defaultAttribution: { kind: 'campaign', campaignId },
    }
    const created = await send(acc, 'POST', '/api/v1/integrations', base)
    expect(created.status).toBe(201)
    const path = `/api/v1/integrations/${created.body.id}`
    const replies = [
      await send(acc, 'GET', '/api/v1/integrations'),
      await send(acc, 'GET', path),
      await send(acc, 'PATCH', path, { sendDeals: true }),
      await send(acc, 'POST', '/api/v1/integrations', { ...base, uid: 'https://evil.com/' }),
      await send(acc, 'POST', '/api/v1/integrations', { ...base, lookbackDays: secret }),
      await send(acc, 'POST', '/api/v1/integrations', { ...base, secretKey: secret.repeat(9) }),
      await send(acc, 'PATCH', path, { secretKey: rotated, uid: 'http://x.medods.ru' }),
      await send('acc-secret-other', 'PATCH', path, { secretKey: rotated }),
      await send(acc, 'PATCH', path, { secretKey: rotated }),
      await send(acc, 'GET', path),
    ]
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 400, 400, 400, 400, 404, 200, 200])

    const bodies = seenBodies.slice(from)
    expect(bodies.length).toBe(replies.length + 3)
    for (const text of bodies) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(rotated)
      expect(text).not.toContain(secret.slice(0, 16))
    }
    const logged = spies.flatMap((spy) => spy.mock.calls.map((args) => args.map(String).join(' ')))
    for (const line of logged) {
      expect(line).not.toContain(secret)
      expect(line).not.toContain(rotated)
    }
  })
})
