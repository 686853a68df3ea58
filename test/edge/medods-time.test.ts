import { describe, expect, it } from 'vitest'
import { parseMedodsTime } from '../../edge/imports/transform'

describe('Medods times', () => {
  it('reads a time without a UTC offset as the clinic wall clock, never as UTC', () => {
    const utc = '2026-12-01T11:03:22.000Z'
    expect(parseMedodsTime('2026-12-01 14:03:22')?.toISOString()).toBe(utc)
    expect(parseMedodsTime('2026-12-01T14:03:22')?.toISOString()).toBe(utc)
    expect(parseMedodsTime('2026-12-01 16:03:22', 'Asia/Yekaterinburg')?.toISOString()).toBe(utc)
    expect(parseMedodsTime('2026-12-01 14:03', 'Europe/Moscow')?.toISOString()).toBe('2026-12-01T11:03:00.000Z')
  })

  it('follows a zone with daylight saving on both sides of the change', () => {
    expect(parseMedodsTime('2026-07-01 12:00:00', 'Europe/Berlin')?.toISOString()).toBe('2026-07-01T10:00:00.000Z')
    expect(parseMedodsTime('2026-01-01 12:00:00', 'Europe/Berlin')?.toISOString()).toBe('2026-01-01T11:00:00.000Z')
  })

  it('keeps an explicit offset or Z, and reads unix seconds', () => {
    expect(parseMedodsTime('2026-12-01T14:03:22+03:00')?.toISOString()).toBe('2026-12-01T11:03:22.000Z')
    expect(parseMedodsTime('2026-12-01T14:03:22.5+0500')?.toISOString()).toBe('2026-12-01T09:03:22.500Z')
    expect(parseMedodsTime('2026-12-01T11:03:22Z')?.toISOString()).toBe('2026-12-01T11:03:22.000Z')
    expect(parseMedodsTime(1_764_587_002)?.toISOString()).toBe('2025-12-01T11:03:22.000Z')
  })

  it('answers unknown for anything else', () => {
    for (const value of ['yesterday', '2026-13-45', '', null, undefined, Number.NaN]) {
      expect(parseMedodsTime(value as string)).toBeNull()
    }
  })
})
