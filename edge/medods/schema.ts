import { z } from 'zod'

/**
 * Shapes of the Medods API v2 payloads (medods-api.md §5). Only what the bridge uses is required; fields
 * no public sample shows for sure (`createdAt`, `note`, `clientComment`, `appointmentSourceId`, order
 * totals) are optional, so a clinic whose Medods omits them still imports.
 */
const id = z.number().int().nonnegative()
const optionalId = id.nullish()
const optionalText = z.string().nullish()
// Money arrives as a number in every sample; a decimal string is accepted too, since it is unconfirmed.
const money = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)])
// Timestamps are unconfirmed in v2: ISO strings are the guess, Unix seconds are tolerated. A time outside
// 2000–2099 is no booking's: the record is malformed (skipped and counted) rather than an Invalid Date that
// would fail its whole page.
const YEAR_2000 = 946_684_800
const YEAR_2100 = 4_102_444_800
const timestamp = z
  .union([
    z.string().min(1).refine((text) => !/^\d{4}/.test(text) || /^20\d\d/.test(text), 'year out of range'),
    z.number().min(YEAR_2000, 'before 2000').max(YEAR_2100, 'after 2099'),
  ])
  .nullish()

export const APPOINTMENT_STATUSES = [
  'need_approval',
  'confirmed_by_administrator',
  'approved',
  'arrived',
  'serviced',
  'billed',
  'paid',
  'canceled',
  'failed',
] as const

export const listEnvelope = z.object({
  data: z.array(z.unknown()),
  totalItems: z.number().int().nonnegative(),
})

export const appointmentSchema = z.object({
  id,
  date: z.string().regex(/^20\d{2}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD in 2000–2099'),
  time: z.string().regex(/^\d{2}:\d{2}/, 'expected HH:MM'),
  duration: z.number().nullish(),
  // Unknown statuses are kept raw: the import maps them to "in process" instead of failing.
  status: z.string().min(1),
  clinicId: optionalId,
  userId: optionalId,
  clientId: optionalId,
  orderId: optionalId,
  appointmentSourceId: optionalId,
  entryTypeIds: z.array(id).nullish(),
  appointmentType: z.object({ id: optionalId, title: optionalText }).nullish(),
  note: optionalText,
  clientComment: optionalText,
  createdAt: timestamp,
  updatedAt: timestamp,
})

export const appointmentSourceSchema = z.object({ id, title: z.string() })

export const clinicSchema = z.object({ id, title: z.string() })

export const clientSchema = z.object({
  id,
  surname: optionalText,
  name: optionalText,
  secondName: optionalText,
  phone: optionalText,
  email: optionalText,
})

export const userSchema = z.object({
  id,
  surname: optionalText,
  name: optionalText,
  secondName: optionalText,
  status: optionalText,
  userGroups: z.array(z.string()).nullish(),
  specialties: z.array(z.object({ id: optionalId, title: optionalText })).nullish(),
})

export const entrySchema = z.object({
  id,
  orderId: optionalId,
  entryTypeId: optionalId,
  title: optionalText,
  userId: optionalId,
  state: optionalText,
  finalsum: money.nullish(),
})

export const orderSchema = z.object({
  id,
  clientId: optionalId,
  clinicId: optionalId,
  date: optionalText,
  // The name of an order-level total is a guess (medods-api.md §5.4): each candidate seen in a Medods is
  // read; entries are the fallback.
  total: money.nullish(),
  finalSum: money.nullish(),
  finalsum: money.nullish(),
  sum: money.nullish(),
  entries: z.array(entrySchema).nullish(),
})

export type Appointment = z.infer<typeof appointmentSchema>
export type AppointmentSource = z.infer<typeof appointmentSourceSchema>
export type Clinic = z.infer<typeof clinicSchema>
/** A Medods "client": the clinic's patient. */
export type Patient = z.infer<typeof clientSchema>
export type MedodsUser = z.infer<typeof userSchema>
export type Entry = z.infer<typeof entrySchema>
export type Order = z.infer<typeof orderSchema>
