/**
 * The matching ladder (product-spec §4): for one online booking, the first rung that holds wins, and the rung
 * is recorded with its candidate count. Pure: the import gathers the candidates from D1 beforehand.
 */
export type MatchMethod = 'session_id' | 'contact' | 'booking_window' | 'default'

export type CandidateSession = {
  id: string
  startedAt: number
  /** The session's current touch type; "direct" sessions lose to any other in the contact rung. */
  touchType: string
}

export type LadderInput = {
  /** Sessions whose ids the booking carries (in its note or the patient's comment). */
  carried: CandidateSession[]
  /** Sessions of the integration's sites that captured the booking's contact before it, within the lookback. */
  byContact: CandidateSession[]
  /** Distinct sessions that opened the booking widget within the window around the booking's creation. */
  inWindow: CandidateSession[]
  /**
   * Sessions that already explain another booking (a carried id or a contact, in this page or a
   * stored request): one visit makes one booking, so they are no window candidates. A window alone
   * is weak evidence; a session with stronger ties elsewhere is likelier to explain that booking.
   */
  taken?: ReadonlySet<string>
  /** Whether the booking-window rung may match at all (the integration's `bookingWindowRung`). */
  windowRung?: boolean
}

export type LadderMatch = { method: MatchMethod; candidates: number; sessionId: string | null }

const latest = (sessions: CandidateSession[]) =>
  sessions.reduce((best, s) =>
    s.startedAt > best.startedAt || (s.startedAt === best.startedAt && s.id > best.id) ? s : best
  )

export function matchBooking(input: LadderInput): LadderMatch {
  const { carried, byContact, taken, windowRung = true } = input
  if (carried.length > 0) {
    return { method: 'session_id', candidates: carried.length, sessionId: latest(carried).id }
  }
  if (byContact.length > 0) {
    const nonDirect = byContact.filter((s) => s.touchType !== 'direct')
    const chosen = latest(nonDirect.length > 0 ? nonDirect : byContact)
    return { method: 'contact', candidates: byContact.length, sessionId: chosen.id }
  }
  const inWindow = taken ? input.inWindow.filter((s) => !taken.has(s.id)) : input.inWindow
  // Several sessions in the window is ambiguous: guessing would attribute bookings to the wrong campaign.
  if (windowRung && inWindow.length === 1) {
    return { method: 'booking_window', candidates: 1, sessionId: inWindow[0]!.id }
  }
  return { method: 'default', candidates: inWindow.length, sessionId: null }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/** Session ids (UUIDs) written into a booking's free text by the site's forms or a staff member. */
export function sessionIdsIn(...texts: (string | null | undefined)[]): string[] {
  const ids = new Set<string>()
  for (const text of texts) for (const match of text?.matchAll(UUID) ?? []) ids.add(match[0].toLowerCase())
  return [...ids]
}
