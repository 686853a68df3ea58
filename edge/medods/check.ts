import { createMedodsClient, type MedodsCredentials } from './client'
import { MedodsAuthError, MedodsError, MedodsResponseError, MedodsUnavailableError } from './errors'

export type CheckFailure = 'bad_credentials' | 'no_api_rights' | 'unreachable' | 'not_medods'
export type CheckResult = { ok: true } | { ok: false; reason: CheckFailure; message: string }

/** What the import reads, clinics first: it tells a Medods API from any other site at once. */
const PROBES = ['clinics', 'appointments', 'appointments/sources', 'clients', 'users']

// A person is waiting for the answer: short timeout, one retry, no long Retry-After waits.
export const CHECK_OPTIONS = {
  timeoutMs: 10_000,
  retry: { budget: 2, maxAttempts: 2, baseDelayMs: 500, maxRetryAfterMs: 5_000 },
}

/**
 * Calls Medods with the given key and answers whether an import would work, with a reason a person
 * can act on. Never throws for a Medods-side problem; the messages name no secret.
 */
export async function checkMedodsConnection(
  creds: MedodsCredentials,
  opts: { allowLocal: boolean; fetch?: typeof fetch }
): Promise<CheckResult> {
  try {
    const client = createMedodsClient(creds, { ...CHECK_OPTIONS, ...opts })
    for (const resource of PROBES) await client.probe(resource)
    return { ok: true }
  } catch (err) {
    if (err instanceof MedodsError) return { ok: false, ...explain(err, creds.uid) }
    throw err
  }
}

function explain(err: MedodsError, uid: string): { reason: CheckFailure; message: string } {
  if (err instanceof MedodsAuthError && err.status === 401) {
    return {
      reason: 'bad_credentials',
      message:
        'Medods не принял ключ. Проверьте Identity и SecretKey из файла ключа API v2; ' +
        'если ключ перевыпускали, внесите новый.',
    }
  }
  if (err instanceof MedodsAuthError) {
    return {
      reason: 'no_api_rights',
      message:
        `Medods отказал в доступе к разделу «${err.path}». Дайте роли API-клиента полный доступ ` +
        '(Справочники → Права доступа к API); если права уже есть, проверьте Identity и SecretKey.',
    }
  }
  if (err instanceof MedodsUnavailableError) {
    const why =
      err.reason === 'server_error'
        ? 'Medods отвечает ошибкой сервера'
        : err.reason === 'rate_limited'
          ? 'Medods ограничил частоту запросов'
          : 'сервер не отвечает'
    return {
      reason: 'unreachable',
      message: `Не удалось связаться с Medods по адресу ${uid}: ${why}. Проверьте UID и повторите позже.`,
    }
  }
  const detail = err instanceof MedodsResponseError ? ` (HTTP ${err.status})` : ''
  return {
    reason: 'not_medods',
    message:
      `По адресу ${uid} не отвечает API Medods${detail}. ` +
      'Укажите адрес клиники в Medods, например https://beta45.medods.ru/.',
  }
}
