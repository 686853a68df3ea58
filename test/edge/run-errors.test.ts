import { describe, expect, it } from 'vitest'
import { MedodsAuthError, MedodsResponseError, MedodsUnavailableError, MEDODS_ERROR_CODES } from '../../edge/medods/errors'
import { runErrorText } from '../../edge/pages/format'

describe('run errors', () => {
  it('are stored as a code and our own words, and each code reads as Russian on the pages', () => {
    const errors = [
      new MedodsAuthError(401, 'appointments'),
      new MedodsAuthError(403, 'orders'),
      new MedodsUnavailableError('timeout', 'appointments', 'no answer within 20000 ms'),
      new MedodsResponseError(422, 'orders', 'an error status'),
    ]
    expect(errors.map((err) => err.code)).toEqual([
      'key_rejected',
      'access_refused',
      'medods_unavailable',
      'unexpected_answer',
    ])
    for (const code of [...MEDODS_ERROR_CODES, 'internal_error']) {
      const text = runErrorText(`${code}: details in English`)
      expect(text).toMatch(/[а-яА-Я]/)
      expect(text).not.toMatch(/details|English/)
    }
    expect(runErrorText('key_rejected: x')).not.toBe(runErrorText('medods_unavailable: x'))
    expect(runErrorText(null)).toBe('')
  })
})
