import { describe, expect, it } from 'vitest'
import { call } from './helpers'

describe('GET /health', () => {
  it('answers 200 after a D1 round trip', async () => {
    const res = await call('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, db: 'ok' })
  })
})

describe('the error model', () => {
  it('answers an unknown route with a JSON 404 carrying a request id', async () => {
    const res = await call('/nope')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } }
    expect(body.error.code).toBe('not_found')
    expect(body.error.message).toContain('/nope')
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'))
  })

  it('echoes a caller-supplied request id', async () => {
    const res = await call('/nope', { headers: { 'x-request-id': 'trace-123' } })
    const body = (await res.json()) as { error: { requestId: string } }
    expect(body.error.requestId).toBe('trace-123')
  })
})
