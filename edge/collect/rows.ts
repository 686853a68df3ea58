import {
  byFieldName,
  currentTouchOf,
  DRAWER_CLOSES,
  pickCurrentTouch,
  type NewBookingDrawer,
  type NewContactHash,
  type NewEvent,
  type Session,
  type StoredTouch,
} from '../db/schema'
import { sessionRowOf, type IngestRows } from '../db/visits'
import { contactKind, type ContactHasher } from '../crypto/contact-hash'
import type { CollectTouch, IngestMessage } from './wire-schema'

/**
 * Client clocks are often minutes off. A send carries the client's send time `w`; its offset from our
 * receipt time moves every client time of the payload onto our clock (the widget stamps `w` anew when it
 * replays a queued send, so the offset holds for old events too). Never later than the receipt.
 */
export const clockOf = ({ receivedAt, payload }: IngestMessage) => {
  const offset = payload.w === undefined ? 0 : receivedAt - payload.w
  return (clientMs: number) => new Date(Math.min(clientMs + offset, receivedAt))
}
type Clock = ReturnType<typeof clockOf>

export const toStoredTouch = (wire: CollectTouch, clock: Clock): StoredTouch => {
  const touch = byFieldName(wire)
  return { ...touch, clickIds: touch.clickIds ?? {}, at: clock(touch.at).getTime() }
}

function sessionRow({ siteId, payload }: IngestMessage, clock: Clock): Session {
  const lastSeen = Math.max(...payload.e.map((e) => e.a))
  return {
    siteId,
    id: payload.s,
    visitorId: payload.v,
    startedAt: clock(payload.b),
    lastSeenAt: clock(Math.max(lastSeen, payload.b)),
    landingUrl: payload.u,
    firstTouch: toStoredTouch(payload.f, clock),
    ...currentTouchOf(toStoredTouch(payload.c, clock)),
  }
}

/** attribution.md §2 and §9: a later non-direct touch replaces the current one. */
const replacesTouch = (next: Session, stored: Session) =>
  next.touchType !== 'direct' && next.touchAt > stored.touchAt

/** Two sends of one session in the same batch become one row, as the upsert would merge them. */
function mergeSession(stored: Session, next: Session): Session {
  const touch = replacesTouch(next, stored) ? next : stored
  return {
    ...stored,
    ...pickCurrentTouch(touch),
    startedAt: next.startedAt < stored.startedAt ? next.startedAt : stored.startedAt,
    lastSeenAt: next.lastSeenAt > stored.lastSeenAt ? next.lastSeenAt : stored.lastSeenAt,
  }
}

type WireEvent = IngestMessage['payload']['e'][number]

/** What one booking event tells of its drawer (keyed by the open's id); null for other events. */
function drawerPart(e: WireEvent, at: Date): Omit<NewBookingDrawer, 'site' | 'sessionId'> | null {
  if (e.t === 'booking_open') return { id: e.i, kind: e.n === 'iframe' ? 'iframe' : 'link', openedAt: at }
  if (e.t === 'booking_focus') return { id: e.o!, openedAt: at, focusedAt: at }
  if (e.t !== 'booking_close') return null
  // A close without "unload" is the drawer hidden or removed, or for a link the visitor's return.
  const closedBy = DRAWER_CLOSES.find((reason) => reason === e.n) ?? 'hide'
  const openedAt = new Date(at.getTime() - e.d!)
  return { id: e.o!, openedAt, closedAt: at, visibleMs: e.d!, closedBy }
}

const earlier = (a?: Date | null, b?: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b ?? null))

/**
 * Two parts of one drawer become one row, as the upsert in db/sessions.ts merges them: the open's time
 * wins over estimates, the first focus and the close are kept.
 */
export function mergeDrawer(stored: NewBookingDrawer, next: NewBookingDrawer): NewBookingDrawer {
  const openedAt = next.kind
    ? next.openedAt
    : stored.kind
      ? stored.openedAt
      : earlier(stored.openedAt, next.openedAt)!
  return {
    ...stored,
    kind: next.kind ?? stored.kind ?? null,
    openedAt,
    focusedAt: earlier(stored.focusedAt, next.focusedAt),
    closedAt: next.closedAt ?? stored.closedAt ?? null,
    visibleMs: next.visibleMs ?? stored.visibleMs ?? null,
    closedBy: next.closedBy ?? stored.closedBy ?? null,
  }
}

/**
 * A shard's rows for a batch of messages, de-duplicated by key, contacts keyed with the HMAC, each site
 * named by its visits key.
 */
export async function rowsFor(
  messages: IngestMessage[],
  hmac: ContactHasher,
  keyOf: (siteId: string) => number
): Promise<IngestRows> {
  const sessions = new Map<string, Session>()
  const events = new Map<string, NewEvent>()
  const contacts = new Map<string, NewContactHash>()
  const drawers = new Map<string, NewBookingDrawer>()
  for (const message of messages) {
    const { siteId, receivedAt, payload } = message
    const site = keyOf(siteId)
    const clock = clockOf(message)
    const row = sessionRow(message, clock)
    const key = `${siteId} ${payload.s}`
    const stored = sessions.get(key)
    sessions.set(key, stored ? mergeSession(stored, row) : row)
    for (const e of payload.e) {
      const at = clock(e.a)
      const part = drawerPart(e, at)
      if (part) {
        const drawer = { site, sessionId: payload.s, ...part }
        const known = drawers.get(`${siteId} ${part.id}`)
        drawers.set(`${siteId} ${part.id}`, known ? mergeDrawer(known, drawer) : drawer)
      }
      if (!events.has(`${siteId} ${e.i}`)) {
        events.set(`${siteId} ${e.i}`, {
          site,
          id: e.i,
          sessionId: payload.s,
          type: e.t,
          at,
          receivedAt: new Date(receivedAt),
          url: e.u ?? null,
          name: e.n ?? null,
        })
      }
      for (const wireHash of e.h ?? []) {
        const hash = await hmac(wireHash)
        const contactKey = `${key} ${hash}`
        if (!contacts.has(contactKey)) {
          const kind = contactKind(wireHash)
          contacts.set(contactKey, { site, hash, sessionId: payload.s, kind, at })
        }
      }
    }
  }
  return {
    sessions: [...sessions.values()].map((session) => sessionRowOf(session, keyOf(session.siteId))),
    events: [...events.values()],
    contacts: [...contacts.values()],
    drawers: [...drawers.values()],
  }
}
