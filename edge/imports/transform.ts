import type { Appointment, AppointmentSource, Patient } from '../medods/schema'
import { normalizeEmail, normalizePhone } from './contacts'

/** Titles Medods clinics give their online-booking source ("Онлайн-запись", "Запись с сайта", "Online"). */
const ONLINE_TITLE = /онлайн|online|сайт|site|web/i

/** The appointment sources that count as online booking: the integration's choice, else found by title. */
export function onlineSourceIdsOf(configured: number[], sources: AppointmentSource[]): Set<number> {
  if (configured.length > 0) return new Set(configured)
  return new Set(sources.filter((s) => ONLINE_TITLE.test(s.title)).map((s) => s.id))
}

export const fullName = (person: Pick<Patient, 'surname' | 'name' | 'secondName'>) =>
  [person.surname, person.name, person.secondName].filter((part) => part && part.trim()).join(' ')

export const CLINIC_TIME_ZONE = 'Europe/Moscow'

// "2026-12-01T14:03:22", "2026-12-01 14:03", with optional fractions and a trailing Z or UTC offset.
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/

/** How far `timeZone` is ahead of UTC at the instant `utcMs`, in ms. */
function zoneOffset(utcMs: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(utcMs)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'))
  return local - Math.floor(utcMs / 1000) * 1000
}

/** A wall-clock time in `timeZone` as an instant (the offset re-read once for a DST change between). */
function fromWallClock(wallMs: number, timeZone: string) {
  const guess = wallMs - zoneOffset(wallMs, timeZone)
  return wallMs - zoneOffset(guess, timeZone)
}

/**
 * Medods timestamps are unconfirmed: unix seconds, or ISO-like strings. A string without a UTC offset is
 * the clinic's wall clock, read in its time zone (never as UTC: Moscow would be 3 hours off). Anything
 * else is unknown.
 */
export function parseMedodsTime(
  value: string | number | null | undefined,
  timeZone = CLINIC_TIME_ZONE
): Date | null {
  if (value === null || value === undefined || value === '') return null
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value * 1000) : null
  const match = LOCAL_TIME.exec(value.trim())
  if (!match) {
    // Other forms (RFC 2822 and the like) are read only when they name their zone.
    const ms = /(GMT|UTC|[+-]\d{4})\b/.test(value) ? Date.parse(value) : NaN
    return Number.isFinite(ms) ? new Date(ms) : null
  }
  const [, y, mo, d, h, mi, sec, fraction, zone] = match
  const ms = Number(`0.${fraction ?? 0}`) * 1000
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +(sec ?? 0), ms)
  // Date.UTC rolls 2026-13-45 over into 2027; a real time reads back as written.
  const back = new Date(wall)
  if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || back.getUTCHours() !== +h!) return null
  if (zone === undefined) return new Date(fromWallClock(wall, timeZone))
  if (zone === 'Z') return new Date(wall)
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  return new Date(wall - sign * (+digits.slice(0, 2) * 60 + +(digits.slice(2) || 0)) * 60_000)
}

/** An online booking as its request stores it (the matching's view is `Booking` in edge/matching). */
export type BookingRecord = {
  medodsAppointmentId: number
  createdAt: Date | null
  medodsClientId: number | null
  name: string | null
  phone: string | null
  email: string | null
  doctor: string | null
  status: string
  /** Free text that may carry one of our session ids. */
  texts: (string | null | undefined)[]
}

/** Contacts normalised, names joined. Pure. */
export function toBooking(
  appointment: Appointment,
  patient: { name: string; phone: string | null; email: string | null } | undefined,
  doctorName: string | undefined,
  timeZone: string
): BookingRecord {
  return {
    medodsAppointmentId: appointment.id,
    createdAt: parseMedodsTime(appointment.createdAt, timeZone),
    medodsClientId: appointment.clientId ?? null,
    name: patient?.name || null,
    phone: normalizePhone(patient?.phone),
    email: normalizeEmail(patient?.email),
    doctor: doctorName || null,
    status: appointment.status,
    texts: [appointment.note, appointment.clientComment],
  }
}
