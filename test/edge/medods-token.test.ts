import { decodeProtectedHeader, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { medodsToken, tokenSource } from '../../edge/medods/token'

const IDENTITY = '00000000-0000-4000-8000-000000000001'
const SECRET = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
const VECTOR =
  'eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9' +
  '.eyJpc3MiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDEiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDA2MH0' +
  '.tX_FdXciU1DIrVTJOOOzETPPPGIABBcv9YMdOKKX5qWy8Kb9a7ZCTsCk6TQcIu4W8QxN8xfGGXzxgN3lRJOfeg'

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16))

describe('medodsToken', () => {
  it('reproduces the test vector of medods-api.md §2 exactly', async () => {
    expect(await medodsToken(IDENTITY, SECRET, 1_700_000_005_000)).toBe(VECTOR)
  })

  it('signs with the SecretKey text, not its hex-decoded bytes', async () => {
    const decodedKeyToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .setIssuer(IDENTITY)
      .setIssuedAt(1_700_000_000)
      .setExpirationTime(1_700_000_060)
      .sign(hexBytes(SECRET))
    expect(decodedKeyToken.split('.')[2]).toMatch(/^W2wTL2saRWkJ/)
    expect(decodedKeyToken).not.toBe(VECTOR)
    expect(decodeProtectedHeader(VECTOR)).toEqual({ alg: 'HS512', typ: 'JWT' })
  })

  it('mints a new token only after half its lifetime', async () => {
    let now = 1_700_000_005_000
    const next = tokenSource(IDENTITY, SECRET, () => now)
    const first = await next()
    now += 29_000
    expect(await next()).toBe(first)
    now += 1_000
    expect(await next()).not.toBe(first)
  })
})
