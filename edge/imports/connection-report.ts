import { createMedodsClient, type MedodsCredentials } from '../medods/client'
import { checkMedodsConnection, CHECK_OPTIONS, type CheckResult } from '../medods/check'
import type { Appointment, AppointmentSource } from '../medods/schema'
import { orderAmount } from './deals-transform'
import { onlineSourceIdsOf } from './transform'

// The connection check as a report: after the key works, a little of everything the imports read.

export const REPORT_ITEMS = ['sources', 'appointments', 'patient', 'doctor', 'order'] as const
export type ReportItem = {
  item: (typeof REPORT_ITEMS)[number]
  status: 'ok' | 'missing' | 'not_understood'
  /** For a person, in Russian. */
  message: string
}
export type ConnectionReport = CheckResult & { items: ReportItem[] }

type Settings = { onlineSourceIds: number[]; timeZone: string }
type Client = ReturnType<typeof createMedodsClient>
type Read = (client: Client, found: { appointments: Appointment[] }) => Promise<ReportItem>

const item = (name: ReportItem['item'], status: ReportItem['status'], message: string) => ({
  item: name,
  status,
  message,
})

const LOOKBACK_DAYS = 30

const sources = (settings: Settings): Read => async (client) => {
  const all: AppointmentSource[] = []
  for await (const page of client.appointmentSources()) all.push(...page.items)
  if (all.length === 0) return item('sources', 'missing', 'В Medods нет источников записи.')
  const online = all.filter((s) => onlineSourceIdsOf(settings.onlineSourceIds, all).has(s.id))
  if (online.length === 0) {
    return item('sources', 'not_understood', 'Ни один источник записи не похож на онлайн-запись.')
  }
  const how = settings.onlineSourceIds.length > 0 ? 'выбраны в настройках' : 'найдены по названию'
  const titles = online.map((s) => `«${s.title}»`).join(', ')
  return item('sources', 'ok', `Онлайн-запись — ${titles} (${how}).`)
}

const appointments = (settings: Settings): Read => async (client, found) => {
  const updatedAtAfter = Math.floor(Date.now() / 1000) - LOOKBACK_DAYS * 86_400
  for await (const page of client.appointments({ updatedAtAfter })) {
    found.appointments.push(...page.items)
    break
  }
  const first = found.appointments[0]
  if (!first) return item('appointments', 'missing', `За ${LOOKBACK_DAYS} дней в Medods нет записей.`)
  if (first.createdAt == null) {
    return item('appointments', 'not_understood', 'Medods не сообщает время создания записи.')
  }
  const zoned = typeof first.createdAt === 'number' || /(Z|[+-]\d{2}:?\d{2})$/.test(first.createdAt)
  const message = zoned
    ? 'Записи читаются; время создания приходит с часовым поясом.'
    : `Записи читаются; время создания без часового пояса читается в поясе ${settings.timeZone}.`
  return item('appointments', 'ok', message)
}

const person =
  (name: 'patient' | 'doctor'): Read =>
  async (client, found) => {
    const id = found.appointments.map((a) => (name === 'patient' ? a.clientId : a.userId)).find((v) => v != null)
    const word = name === 'patient' ? 'пациента' : 'врача'
    if (id == null) return item(name, 'missing', `В записях нет ${word}.`)
    const record = name === 'patient' ? await client.client(id) : await client.user(id)
    if (!record) return item(name, 'not_understood', `Карточка ${word} не читается.`)
    return item(name, 'ok', `Карточка ${word} читается.`)
  }

const order: Read = async (client, found) => {
  const id = found.appointments.map((a) => a.orderId).find((v) => v != null)
  if (id == null) return item('order', 'missing', 'В записях пока нет заказов: суммы сделок будут 0.')
  const read = await client.order(id)
  if (!read) return item('order', 'not_understood', 'Заказ не читается: суммы сделок будут неизвестны.')
  const field = (['total', 'finalSum', 'finalsum', 'sum'] as const).find((key) => read[key] != null)
  if (field) return item('order', 'ok', `Сумма сделки берётся из поля заказа «${field}».`)
  const fromLines = orderAmount(read) !== undefined ? 'его позиций' : 'позиций заказа (GET /entries)'
  return item('order', 'ok', `В заказе нет итоговой суммы: она складывается из ${fromLines}.`)
}

/** The check, then one item a read: an item that fails says so and the others are still read. */
export async function connectionReport(
  creds: MedodsCredentials,
  settings: Settings,
  opts: { allowLocal: boolean; fetch?: typeof fetch }
): Promise<ConnectionReport> {
  const check = await checkMedodsConnection(creds, opts)
  if (!check.ok) return { ...check, items: [] }
  const client = createMedodsClient(creds, { ...CHECK_OPTIONS, ...opts })
  const found = { appointments: [] as Appointment[] }
  const reads: [ReportItem['item'], Read][] = [
    ['sources', sources(settings)],
    ['appointments', appointments(settings)],
    ['patient', person('patient')],
    ['doctor', person('doctor')],
    ['order', order],
  ]
  const items: ReportItem[] = []
  for (const [name, read] of reads) {
    items.push(
      await read(client, found).catch(() => item(name, 'not_understood', 'Medods ответил не так, как ожидалось.'))
    )
  }
  return { ...check, items }
}
