import type { NewContactHash, NewEvent, NewSession, StoredTouch } from '../db/schema'
import type { IngestRows } from '../db/sessions'
import { contactKind, type ContactHasher } from './contact-hash'
import type { CollectTouch, IngestMessage } from './wire-schema'

export const toStoredTouch = (t: CollectTouch): StoredTouch => ({
  type: t.t,
  source: t.s,
  medium: t.m,
  campaign: t.c,
  content: t.o,
  term: t.e,
  utmId: t.i,
  clickIds: t.k ?? {},
  landingUrl: t.l,
  referrer: t.r,
  at: t.a,
})

/** A client clock ahead of ours would put events in the future: ours is the ceiling. */
const clamp = (clientMs: number, receivedAt: number) => new Date(Math.min(clientMs, receivedAt))

function sessionRow({ siteId, receivedAt, payload }: IngestMessage): NewSession {
  const current = toStoredTouch(payload.c)
  const lastSeen = Math.max(...payload.e.map((e) => e.a))
  return {
    siteId,
    id: payload.s,
    visitorId: payload.v,
    startedAt: clamp(payload.b, receivedAt),
    lastSeenAt: clamp(Math.max(lastSeen, payload.b), receivedAt),
    landingUrl: payload.u,
    firstTouch: toStoredTouch(payload.f),
    touchType: current.type,
    source: current.source,
    medium: current.medium,
    campaign: current.campaign,
    content: current.content,
    term: current.term,
    utmId: current.utmId,
    clickIds: current.clickIds,
    touchLandingUrl: current.landingUrl,
    touchReferrer: current.referrer,
    touchAt: new Date(current.at),
  }
}

/** attribution.md §2 and §9: a later non-direct touch replaces the current one. */
const replacesTouch = (next: NewSession, stored: NewSession) =>
  next.touchType !== 'direct' && next.touchAt > stored.touchAt

/** Two sends of one session in the same batch become one row, as the upsert would merge them. */
function mergeSession(stored: NewSession, next: NewSession): NewSession {
  const touch = replacesTouch(next, stored) ? next : stored
  return {
    ...stored,
    ...pickTouch(touch),
    startedAt: next.startedAt < stored.startedAt ? next.startedAt : stored.startedAt,
    lastSeenAt: next.lastSeenAt > stored.lastSeenAt ? next.lastSeenAt : stored.lastSeenAt,
  }
}

const pickTouch = (s: NewSession) => ({
  touchType: s.touchType,
  source: s.source,
  medium: s.medium,
  campaign: s.campaign,
  content: s.content,
  term: s.term,
  utmId: s.utmId,
  clickIds: s.clickIds,
  touchLandingUrl: s.touchLandingUrl,
  touchReferrer: s.touchReferrer,
  touchAt: s.touchAt,
})

/** Rows for a batch of messages, de-duplicated by key, contacts keyed with the HMAC. */
export async function rowsFor(messages: IngestMessage[], hmac: ContactHasher): Promise<IngestRows> {
  const sessions = new Map<string, NewSession>()
  const events = new Map<string, NewEvent>()
  const contacts = new Map<string, NewContactHash>()
  for (const message of messages) {
    const { siteId, receivedAt, payload } = message
    const row = sessionRow(message)
    const key = `${siteId} ${payload.s}`
    const stored = sessions.get(key)
    sessions.set(key, stored ? mergeSession(stored, row) : row)
    for (const e of payload.e) {
      const at = clamp(e.a, receivedAt)
      if (!events.has(`${siteId} ${e.i}`)) {
        events.set(`${siteId} ${e.i}`, {
          siteId,
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
          contacts.set(contactKey, { siteId, hash, sessionId: payload.s, kind, at })
        }
      }
    }
  }
  return {
    sessions: [...sessions.values()],
    events: [...events.values()],
    contacts: [...contacts.values()],
  }
}
