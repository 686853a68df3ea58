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

/** Medods timestamps are unconfirmed: ISO strings or unix seconds are read, anything else is unknown. */
export function parseMedodsTime(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value)
  return Number.isFinite(ms) ? new Date(ms) : null
}

export type Booking = {
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

/** An online booking as the request needs it: contacts normalised, names joined. Pure. */
export function toBooking(
  appointment: Appointment,
  patient: { name: string; phone: string | null; email: string | null } | undefined,
  doctorName: string | undefined
): Booking {
  return {
    medodsAppointmentId: appointment.id,
    createdAt: parseMedodsTime(appointment.createdAt),
    medodsClientId: appointment.clientId ?? null,
    name: patient?.name || null,
    phone: normalizePhone(patient?.phone),
    email: normalizeEmail(patient?.email),
    doctor: doctorName || null,
    status: appointment.status,
    texts: [appointment.note, appointment.clientComment],
  }
}
