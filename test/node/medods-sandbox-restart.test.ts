// `npm start` restarts the Medods sandbox empty while the local D1 keeps the appointments it imported:
// a booking after a restart must not reuse an id, or its import overwrites another patient's request.
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { startMedodsSandbox } from '../../scripts/medods-sandbox.mjs'

type Started = {
  close: () => Promise<void>
  data: { users: { id: number; hasAppointment: boolean }[] }
  book: (input: object) => { appointment?: { id: number; clientId: number }; error?: string }
}

/** Books the first free slot three days after `nowMs` (clinic time 09:00–18:00). */
function bookSomething(sandbox: Started, nowMs: number, phone: string) {
  const doctor = sandbox.data.users.find((u) => u.hasAppointment)
  const date = new Date(nowMs + 3 * 86_400_000).toISOString().slice(0, 10)
  for (let h = 9; h < 18; h++) {
    for (const m of ['00', '15', '30', '45']) {
      const slot = `${date} ${String(h).padStart(2, '0')}:${m}`
      const result = sandbox.book({ doctorId: doctor?.id, slot, surname: 'Тестов', name: 'Тест', phone })
      if (result.appointment) return result.appointment
    }
  }
  throw new Error('no free slot')
}

describe('Medods sandbox restarts', () => {
  it('never reuses a booking id after a restart', async () => {
    const port = 8933
    const t0 = Date.UTC(2026, 11, 2, 9, 0, 0)
    const first: Started = await startMedodsSandbox(port, () => t0)
    const before = [bookSomething(first, t0, '+79990000001'), bookSomething(first, t0, '+79990000002')]
    await first.close()

    // The same seeded clinic a minute later, as after Ctrl-C and `npm start` again.
    const t1 = t0 + 60_000
    const second: Started = await startMedodsSandbox(port, () => t1)
    try {
      const after = bookSomething(second, t1, '+79990000003')
      const oldIds = before.map((a) => a.id)
      expect(oldIds).not.toContain(after.id)
      expect(after.id).toBeGreaterThan(Math.max(...oldIds))
      expect(before.map((a) => a.clientId)).not.toContain(after.clientId)
    } finally {
      await second.close()
    }
  })
})
