import { z } from 'zod'
import type { ImportRun } from '../db/schema'

// Clinics are Russian: dates are shown, and date filters read, in Moscow time (UTC+3, no DST).
const MOSCOW_OFFSET = '+03:00'

const dateTimeFormat = new Intl.DateTimeFormat('ru-RU', {
  timeZone: 'Europe/Moscow',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
})

export const formatDateTime = (date: Date | null | undefined) =>
  date ? dateTimeFormat.format(date) : '—'

const moneyFormat = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2 })

export const formatMoney = (amount: number | null, currency: string) =>
  amount === null ? '—' : `${moneyFormat.format(amount)} ${currency === 'RUB' ? '₽' : currency}`

/** Medods keeps phones as E.164 digits; a person reads them with a plus. */
export const formatPhone = (digits: string | null) => (digits ? `+${digits}` : '')

const day = z.union([z.literal(''), z.iso.date('Дата в формате ГГГГ-ММ-ДД')]).default('')

/** The date filter and page cursor of a raw-data page, as its query string carries them. */
export const rawDataQuery = z.object({
  from: day,
  to: day,
  cursor: z.string().max(200).optional(),
})

export type RawDataQuery = z.infer<typeof rawDataQuery>

/** The instants a from/to day filter covers: from the first millisecond of `from` to the last of `to`. */
export function dayRange(query: RawDataQuery) {
  return {
    from: query.from ? new Date(`${query.from}T00:00:00.000${MOSCOW_OFFSET}`) : undefined,
    to: query.to ? new Date(`${query.to}T23:59:59.999${MOSCOW_OFFSET}`) : undefined,
  }
}

/** The same page's URL with other query values (paging keeps the filter). */
export function withQuery(path: string, query: Record<string, string | undefined>) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value)
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

/** A run's state, as the integration page and the overview show it. */
export const RUN_STATUS: Record<ImportRun['status'], string> = {
  queued: 'в очереди',
  running: 'выполняется',
  succeeded: 'выполнен',
  failed: 'ошибка',
}

/** What a stored run error ("code: details") means, for a person. */
const RUN_ERRORS: Record<string, string> = {
  bad_uid: 'Адрес клиники в Medods указан неверно.',
  key_rejected: 'Medods не принял ключ API: проверьте Identity и SecretKey.',
  access_refused: 'Medods отказал в доступе: у роли ключа API нет нужных прав.',
  medods_unavailable: 'Medods не отвечал: загрузка повторится сама.',
  unexpected_answer: 'Medods ответил не так, как ожидалось: загрузка повторится со следующим запуском.',
  internal_error: 'Внутренняя ошибка загрузки: мы уже знаем о ней.',
}

/** A stored run or integration error in Russian; the code's sentence, else a general one. */
export function runErrorText(error: string | null): string {
  if (!error) return ''
  const code = error.slice(0, Math.max(0, error.indexOf(':')))
  return RUN_ERRORS[code] ?? 'Загрузка не удалась.'
}
