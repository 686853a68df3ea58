import { Hono } from 'hono'
import { html } from 'hono/html'
import { z } from 'zod'
import type { SandboxState } from './api'
import { moscowParts, moscowToMs, ONLINE_SOURCE_ID, type SandboxAppointment } from './data'

const SLOT_MINUTES = 30
const DAYS_AHEAD = 3

// Accepts +7 / 8 / bare ten digits, as a person types them, and keeps Medods' `7XXXXXXXXXX`.
const phone = z
  .string()
  .transform((v) => v.replace(/\D/g, '').replace(/^8(?=\d{10}$)/, '7').replace(/^(?=9\d{9}$)/, '7'))
  .pipe(z.string().regex(/^7\d{10}$/, 'Телефон: 11 цифр, например +7 900 123-45-67'))

export const bookingInput = z.object({
  doctorId: z.coerce.number().int(),
  slot: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'Выберите время'),
  surname: z.string().trim().min(1, 'Укажите фамилию').max(100),
  name: z.string().trim().min(1, 'Укажите имя').max(100),
  phone,
  email: z.union([z.literal(''), z.email('Неверный e-mail')]).default(''),
  comment: z.string().max(1000).default(''),
})
export type BookingInput = z.input<typeof bookingInput>

/** The free slots offered: the next days' working hours in clinic-local time. */
function slots(nowMs: number) {
  const out: string[] = []
  for (let day = 1; day <= DAYS_AHEAD; day++) {
    const { date } = moscowParts(nowMs + day * 86_400_000)
    for (let minutes = 9 * 60; minutes < 18 * 60; minutes += SLOT_MINUTES) {
      const pad = (n: number) => String(n).padStart(2, '0')
      out.push(`${date} ${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`)
    }
  }
  return out
}

/**
 * What Medods' online booking does on submit: find the patient by phone or create one, then create an
 * appointment awaiting approval with the online-booking source and its creation time.
 */
export function bookOnline(state: SandboxState, input: BookingInput) {
  const parsed = bookingInput.safeParse(input)
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? 'Неверные данные' }
  const form = parsed.data
  const { data } = state
  const doctor = data.users.find((u) => u.id === form.doctorId && u.hasAppointment)
  if (!doctor) return { error: 'Выберите врача' }
  const [date = '', time = ''] = form.slot.split(' ')
  const taken = data.appointments.some(
    (a) => a.userId === doctor.id && a.date === date && a.time === time && a.status !== 'canceled'
  )
  if (taken || moscowToMs(date, time) <= state.now()) return { error: 'Это время уже занято' }
  let client = data.clients.find((c) => c.phone === form.phone)
  if (!client) {
    const id = Math.max(1000, data.newIdFloor ?? 0, ...data.clients.map((c) => c.id)) + 1
    const { surname, name, phone, email } = form
    client = { id, surname, name, secondName: '', phone, email }
    data.clients.push(client)
  }
  const appointment: SandboxAppointment = {
    id: Math.max(5000, data.newIdFloor ?? 0, ...data.appointments.map((a) => a.id)) + 1,
    date,
    time,
    duration: doctor.appointmentDuration,
    status: 'need_approval',
    clinicId: doctor.currentClinicId,
    userId: doctor.id,
    clientId: client.id,
    appointmentSourceId: ONLINE_SOURCE_ID,
    entryTypeIds: [],
    appointmentType: { id: 1, title: 'Первичный прием' },
    orderId: null,
    note: '',
    clientComment: form.comment,
    createdAt: moscowParts(state.now()).iso,
  }
  data.appointments.push(appointment)
  data.updatedAt.set(appointment.id, state.now())
  return { appointment }
}

const page = (title: string, body: unknown) => html`<!doctype html>
  <html lang="ru">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${title}</title>
      <style>
        body { font: 15px/1.4 system-ui, sans-serif; margin: 16px; color: #222 }
        label { display: block; margin: 10px 0 4px }
        input, select, textarea { width: 100%; padding: 6px }
        button { margin-top: 14px; padding: 10px 18px; background: #f97477; color: #fff; border: 0 }
        .error { color: #b00020 }
      </style>
    </head>
    <body>${body}</body>
  </html>`

function form(state: SandboxState, doctorId?: number, error?: string) {
  const doctors = state.data.users.filter((u) => u.hasAppointment)
  return page(
    'Онлайн-запись',
    html`<h1>Онлайн-запись</h1>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
      <form method="post" action="/online/appointments">
        <label for="doctorId">Врач</label>
        <select id="doctorId" name="doctorId">
          ${doctors.map(
            (d) => html`<option value="${d.id}" ${d.id === doctorId ? 'selected' : ''}>
              ${d.surname} ${d.name} — ${d.specialties[0]?.title ?? ''}
            </option>`
          )}
        </select>
        <label for="slot">Дата и время</label>
        <select id="slot" name="slot">
          ${slots(state.now()).map((s) => html`<option value="${s}">${s}</option>`)}
        </select>
        <label for="surname">Фамилия</label><input id="surname" name="surname" required />
        <label for="name">Имя</label><input id="name" name="name" required />
        <label for="phone">Телефон</label><input id="phone" name="phone" type="tel" required />
        <label for="email">E-mail</label><input id="email" name="email" type="email" />
        <label for="comment">Комментарий</label><textarea id="comment" name="comment"></textarea>
        <button type="submit">Записаться</button>
      </form>`
  )
}

/** The clinic's online-booking page (like `https://online-<clinic>.medods.ru`), fit for an iframe. */
export function createBookingPage(state: SandboxState) {
  const app = new Hono()
  app.get('/', (c) => c.html(form(state)))
  app.get('/clinic/:clinicId/doctor/:doctorId', (c) =>
    c.html(form(state, Number(c.req.param('doctorId'))))
  )
  app.post('/appointments', async (c) => {
    const body = (await c.req.parseBody()) as Record<string, string>
    const result = bookOnline(state, body as BookingInput)
    if ('error' in result) return c.html(form(state, Number(body.doctorId), result.error), 422)
    const a = result.appointment
    return c.html(
      page(
        'Вы записаны',
        html`<h1>Вы записаны</h1>
          <p data-appointment-id="${a.id}">
            Запись №${a.id}: ${a.date} в ${a.time}. Клиника подтвердит её.
          </p>`
      ),
      201
    )
  })
  return app
}
