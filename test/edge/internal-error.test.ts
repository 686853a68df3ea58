import { env } from 'cloudflare:workers'
import { afterEach, expect, it, vi } from 'vitest'
import { api } from './helpers'

afterEach(() => vi.restoreAllMocks())

// Storage is isolated per test file, so dropping a table here affects no other file.
it('answers an unexpected failure with a 500 that hides internals and logs them with the request id', async () => {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
  await env.DB.exec('DROP TABLE sites')

  const res = await api('acc-1', '/api/v1/sites')

  expect(res.status).toBe(500)
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } }
  expect(body.error).toEqual({
    code: 'internal_error',
    message: 'Internal error',
    requestId: res.headers.get('x-request-id'),
  })
  expect(JSON.stringify(body)).not.toMatch(/sites|SQL/i)
  const line = logged.mock.calls.map((args) => String(args[0])).join('\n')
  expect(line).toContain(body.error.requestId)
  expect(line).toMatch(/no such table: sites/)
  expect(line).not.toContain('acc-1,')
})
