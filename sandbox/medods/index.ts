import { Hono } from 'hono'
import { createApiV2, type SandboxState } from './api'
import type { SandboxKey } from './auth'
import { type BookingInput, bookOnline, createBookingPage } from './booking'
import { seedData, type SandboxAppointment } from './data'
import { noFaults } from './faults'

export type { SandboxKey } from './auth'
export type { SandboxFaults } from './faults'
export { ONLINE_SOURCE_ID } from './data'

/** The demo key printed by `npm start`; a made-up pair, shaped like a Medods key file. */
export const DEMO_KEY: SandboxKey = {
  identity: '6f1c2a9e-4b7d-4e21-9a3f-0d5e8c7b1a20',
  secretKey: '9c4e1f0b7a2d5e8c3b6a9f1e4d7c0b3a6e9d2c5f8b1a4e7d0c3f6b9a2e5d8c1f',
  rights: 'all',
}

/** A key whose API client has no role: it authenticates, then every resource answers 403. */
export const NO_RIGHTS_KEY: SandboxKey = {
  identity: '0a7e3c51-2f4b-4d86-b1c9-7e5a2d8f4c63',
  secretKey: '3f6b9a2e5d8c1f4e7a0d3c6b9f2e5a8d1c4b7e0a3f6d9c2b5e8a1d4c7f0b3e6a',
  rights: [],
}

export type SandboxOptions = {
  seed?: number
  keys?: SandboxKey[]
  /** The sandbox clock (ms); token checks, seeded dates and update times follow it. */
  now?: () => number
  updatedAtAfterInclusive?: boolean
  withCreatedAt?: boolean
  /** Serve `createdAt` as clinic wall-clock time without a UTC offset ("2026-12-01 14:03:22"). */
  createdAtWithoutOffset?: boolean
  counts?: { clients: number; appointments: number }
  /**
   * Online bookings get ids above this. `npm start` passes the start time in seconds: the sandbox restarts
   * empty while the local D1 keeps the imported appointments, so ids must never repeat across restarts.
   */
  newIdFloor?: number
}

/**
 * A Medods clinic in a box: API v2 under `/api/v2/` (HS512 keys, pagination, `updatedAtAfter`, faults)
 * and its online-booking page under `/online/`. In memory; the same seed and clock give the same clinic.
 */
export function createMedodsSandbox(options: SandboxOptions = {}) {
  const now = options.now ?? Date.now
  const state: SandboxState = {
    data: { ...seedData(options.seed ?? 1, now(), options.counts), newIdFloor: options.newIdFloor },
    faults: noFaults(),
    keys: options.keys ?? [DEMO_KEY, NO_RIGHTS_KEY],
    now,
    updatedAtAfterInclusive: options.updatedAtAfterInclusive ?? false,
    withCreatedAt: options.withCreatedAt ?? true,
    createdAtWithoutOffset: options.createdAtWithoutOffset ?? false,
    requests: [],
    bodyBytesServed: 0,
  }
  // Not strict: Medods links to the booking page both with and without the trailing slash.
  const app = new Hono({ strict: false })
  app.route('/api/v2', createApiV2(state))
  app.route('/online', createBookingPage(state))
  app.get('/', (c) => c.redirect('/online/'))

  return {
    app,
    data: state.data,
    faults: state.faults,
    /** Every API request the sandbox answered, in order: method, path, query string, status. */
    requests: state.requests,
    /**
     * Bytes of the streamed fault bodies (`hugeBody`, `slowBody`) handed to clients so far: what they pulled,
     * plus at most the one chunk a stream makes ahead of its reader.
     */
    get bodyBytesServed() {
      return state.bodyBytesServed
    },
    book: (input: BookingInput) => bookOnline(state, input),
    /** Changes an appointment as staff would in Medods: its hidden update time becomes now. */
    updateAppointment(id: number, patch: Partial<Omit<SandboxAppointment, 'id'>>) {
      const appointment = state.data.appointments.find((a) => a.id === id)
      if (!appointment) throw new Error(`no appointment ${id} in the sandbox`)
      Object.assign(appointment, patch)
      state.data.updatedAt.set(id, now())
      return appointment
    },
  }
}

export type MedodsSandbox = ReturnType<typeof createMedodsSandbox>
