import type { WireTouch } from './wire'

export const SESSION_IDLE_MS = 30 * 60 * 1000

/** What the widget remembers about a visitor between pages. */
export type VisitState = {
  v: string // visitor id
  s: string // session id
  b: number // session start, ms
  x: number // last activity, ms
  f: WireTouch // first touch, write-once
  c: WireTouch // current touch: the last non-direct one
}

// A touch without its landing page, referrer and time: equal for a reload of the same landing page.
const campaignOf = ({ l, r, a, ...campaign }: WireTouch) => JSON.stringify(campaign)

/**
 * The last-non-direct-click model: UTM and organic touches always replace the current touch, a referral
 * only when no session is open, direct never. A session ends after 30 idle minutes (sliding) or when a
 * different campaign replaces the current touch.
 */
export function advanceVisit(
  prev: Partial<VisitState>,
  touch: WireTouch,
  now: number,
  newId: () => string
): VisitState {
  // Without a stored visit `prev.x` is undefined and the comparison false.
  const open = now - prev.x! < SESSION_IDLE_MS
  const current = prev.c
  // Inside an open session only another campaign (UTM or organic) is taken: a reload of the landing
  // page repeats its campaign and keeps the session.
  const taken =
    !current ||
    (open
      ? /^[uo]/.test(touch.t) && campaignOf(touch) != campaignOf(current)
      : touch.t != 'direct')
  // Without a stored touch (another subdomain's storage) an open session from the cookie carries on.
  const fresh = !open || (taken && !!current)
  return {
    v: prev.v || newId(),
    s: fresh ? newId() : prev.s!,
    b: fresh ? now : prev.b!,
    x: now,
    f: prev.f || touch,
    c: taken ? touch : current,
  }
}
