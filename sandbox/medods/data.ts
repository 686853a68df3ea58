import { APPOINTMENT_STATUSES } from '../../edge/medods/schema'

/** The sandbox's records, shaped as Medods API v2 serves them (medods-api.md §5). */
export type SandboxClinic = { id: number; title: string }
export type SandboxSource = { id: number; title: string }
export type SandboxUser = {
  id: number
  surname: string
  name: string
  secondName: string
  status: 'active'
  userGroups: string[]
  specialties: { id: number; title: string; userGroup: string }[]
  currentClinicId: number
  clinicIds: number[]
  hasAppointment: boolean
  appointmentDuration: number
}
export type SandboxPatient = {
  id: number
  surname: string
  name: string
  secondName: string
  phone: string
  email: string
}
export type SandboxEntry = {
  id: number
  orderId: number
  entryTypeId: number
  title: string
  date: string
  userId: number
  state: 'ready'
  finalsum: number
}
export type SandboxOrder = {
  id: number
  clientId: number
  clinicId: number
  date: string
  total: number
}
export type SandboxAppointment = {
  id: number
  date: string
  time: string
  duration: number
  status: string
  clinicId: number
  userId: number
  clientId: number
  appointmentSourceId: number
  entryTypeIds: number[]
  appointmentType: { id: number; title: string }
  orderId: number | null
  note: string
  clientComment: string
  createdAt?: string
}

export type SandboxData = {
  /** Online bookings get client and appointment ids above this (see SandboxOptions.newIdFloor). */
  newIdFloor?: number
  clinics: SandboxClinic[]
  sources: SandboxSource[]
  users: SandboxUser[]
  clients: SandboxPatient[]
  appointments: SandboxAppointment[]
  orders: SandboxOrder[]
  entries: SandboxEntry[]
  /** Hidden per-appointment update time (ms); what `updatedAtAfter` filters on. Not served. */
  updatedAt: Map<number, number>
}

export const ONLINE_SOURCE_ID = 14
const DAY_MS = 86_400_000
// Clinic-local time is Moscow time, which has no daylight saving.
const MOSCOW_OFFSET_MS = 3 * 3_600_000

/** mulberry32: a tiny seeded PRNG, so the same seed always gives the same clinic. */
function random(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T
  return { int, pick }
}

/** `YYYY-MM-DD`, `HH:MM` and an ISO string with the +03:00 offset, all in clinic-local time. */
export function moscowParts(ms: number) {
  const iso = new Date(ms + MOSCOW_OFFSET_MS).toISOString()
  return { date: iso.slice(0, 10), time: iso.slice(11, 16), iso: `${iso.slice(0, 19)}+03:00` }
}

export const moscowToMs = (date: string, time: string) =>
  Date.parse(`${date}T${time}:00Z`) - MOSCOW_OFFSET_MS

const SURNAMES = ['Иванов', 'Петров', 'Смирнов', 'Кузнецов', 'Попов', 'Волков', 'Соколов']
const FEMALE_NAMES = new Set(['Анна', 'Мария', 'Елена', 'Ольга', 'Наталья'])
const NAMES = ['Анна', 'Мария', 'Олег', 'Игорь', 'Елена', 'Дмитрий', 'Ольга', 'Сергей', 'Наталья']
const PATRONYMICS = { male: ['Петрович', 'Сергеевич', 'Андреевич'], female: ['Ивановна', 'Олеговна', 'Павловна'] }

/** A Russian full name whose surname, name and patronymic agree in gender (three draws, as before). */
function personName(rng: ReturnType<typeof random>) {
  const surname = rng.pick(SURNAMES)
  const name = rng.pick(NAMES)
  const female = FEMALE_NAMES.has(name)
  return {
    surname: female ? `${surname}а` : surname,
    name,
    secondName: rng.pick(female ? PATRONYMICS.female : PATRONYMICS.male),
  }
}
const SPECIALTIES = ['Терапевт', 'Невролог', 'Кардиолог', 'Стоматолог', 'Дерматолог']
const SERVICES = [
  { id: 501, title: 'Первичный прием', price: 2500 },
  { id: 502, title: 'Повторный прием', price: 1800 },
  { id: 503, title: 'УЗИ', price: 3200 },
  { id: 504, title: 'Анализ крови', price: 900 },
]
const BILLED = new Set(['billed', 'paid'])
const UPCOMING = new Set(['need_approval', 'confirmed_by_administrator', 'approved'])

export function seedData(seed: number, nowMs: number, counts = { clients: 40, appointments: 150 }) {
  const rng = random(seed)
  const data: SandboxData = {
    clinics: [
      { id: 1, title: 'Клиника на Ленина' },
      { id: 2, title: 'Филиал на Садовой' },
    ],
    sources: [
      { id: 1, title: 'Администратор' },
      { id: 2, title: 'Телефонный звонок' },
      { id: 3, title: 'Рекомендация' },
      { id: ONLINE_SOURCE_ID, title: 'Онлайн-запись' },
    ],
    users: [],
    clients: [],
    appointments: [],
    orders: [],
    entries: [],
    updatedAt: new Map(),
  }
  SPECIALTIES.forEach((title, i) => {
    const clinicId = (i % 2) + 1
    data.users.push({
      id: 160 + i,
      ...personName(rng),
      status: 'active',
      userGroups: ['medical_staff'],
      specialties: [{ id: 70 + i, title, userGroup: 'medical_staff' }],
      currentClinicId: clinicId,
      clinicIds: [clinicId],
      hasAppointment: true,
      appointmentDuration: 30,
    })
  })
  for (let i = 0; i < counts.clients; i++) {
    data.clients.push({
      id: 1001 + i,
      ...personName(rng),
      phone: `79${String(rng.int(0, 999_999_999)).padStart(9, '0')}`,
      email: `patient${1001 + i}@example.com`,
    })
  }
  for (let i = 0; i < counts.appointments; i++) addSeededAppointment(data, rng, nowMs, i)
  return data
}

function addSeededAppointment(
  data: SandboxData,
  rng: ReturnType<typeof random>,
  nowMs: number,
  i: number
) {
  // The first nine cover every status once; the rest are drawn at random.
  const status = APPOINTMENT_STATUSES[i] ?? rng.pick(APPOINTMENT_STATUSES)
  const doctor = rng.pick(data.users)
  const client = rng.pick(data.clients)
  const dayOffset = UPCOMING.has(status) ? rng.int(1, 14) : -rng.int(1, 30)
  const visitDay = Math.floor((nowMs + dayOffset * DAY_MS) / DAY_MS) * DAY_MS
  const visitMs = visitDay + rng.int(6, 14) * 3_600_000
  const createdMs = Math.min(nowMs - 3_600_000, visitMs - rng.int(1, 10) * DAY_MS)
  const id = 5001 + i
  const service = rng.pick(SERVICES)
  const visit = moscowParts(visitMs)
  let orderId: number | null = null
  if (BILLED.has(status)) {
    orderId = addOrder(data, rng, { id, clientId: client.id, doctor, date: visit.date })
  }
  data.appointments.push({
    id,
    date: visit.date,
    time: visit.time,
    duration: 30,
    status,
    clinicId: doctor.currentClinicId,
    userId: doctor.id,
    clientId: client.id,
    appointmentSourceId: rng.int(0, 2) === 0 ? ONLINE_SOURCE_ID : rng.pick([1, 2, 3]),
    entryTypeIds: [service.id],
    appointmentType: { id: 1, title: 'Первичный прием' },
    orderId,
    note: '',
    clientComment: '',
    createdAt: moscowParts(createdMs).iso,
  })
  data.updatedAt.set(id, Math.min(nowMs - 60_000, createdMs + rng.int(0, 5) * DAY_MS))
}

function addOrder(
  data: SandboxData,
  rng: ReturnType<typeof random>,
  at: { id: number; clientId: number; doctor: SandboxUser; date: string }
) {
  const orderId = 9000 + at.id
  let total = 0
  for (let n = rng.int(1, 3); n > 0; n--) {
    const service = rng.pick(SERVICES)
    total += service.price
    data.entries.push({
      id: 20_000 + data.entries.length,
      orderId,
      entryTypeId: service.id,
      title: service.title,
      date: at.date,
      userId: at.doctor.id,
      state: 'ready',
      finalsum: service.price,
    })
  }
  data.orders.push({
    id: orderId,
    clientId: at.clientId,
    clinicId: at.doctor.currentClinicId,
    date: at.date,
    total,
  })
  return orderId
}
