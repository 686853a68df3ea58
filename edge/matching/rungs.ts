/**
 * One pure rule per rung of the ladder (product-spec §4, attribution.md §15). The numbers of the window
 * rung were chosen on the accuracy benchmark (BENCHMARKS.md), not guessed.
 */
import type { Session } from '../db/schema'
import type { DrawerSighting } from '../db/visits'
import type { MatchSettings } from './types'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

export const DRAWER_RULE = {
  /** Nobody books within this long of opening the drawer: a drawer opened later is another visit's. */
  openedBeforeMs: 30_000,
  /**
   * Medods saves the booking before the visitor closes the drawer; corrected clocks and latency blur that
   * by a second or two. Wider lets in more visitors who closed it and left (30 s cost 1–2 points).
   */
  closeToleranceMs: 5_000,
  /** Without focus, a drawer visible this long counts as used (abandoners close theirs within 90 s). */
  usedVisibleMs: 120_000,
}

/** The session a rung picks among several: the latest started (ties broken by id, for repeatability). */
export const latest = (sessions: Session[]) =>
  sessions.reduce((best, s) =>
    s.startedAt > best.startedAt || (s.startedAt.getTime() === best.startedAt.getTime() && s.id > best.id)
      ? s
      : best
  )

/** Rung 2: the last non-direct session that captured the contact, else the last one. */
export function contactChoice(byContact: Session[]) {
  const nonDirect = byContact.filter((s) => s.touchType !== 'direct')
  return latest(nonDirect.length > 0 ? nonDirect : byContact)
}

/**
 * Rung 2's time test: captured within the lookback before the booking, or up to 2 minutes after it (a
 * form and the booking sent together; a clock the collector corrected only to the second).
 */
export const SIGHTING_GRACE_MS = 2 * MINUTE
export const sightingFits = (sightingAt: Date, bookedAt: Date, settings: Pick<MatchSettings, 'lookbackDays'>) =>
  sightingAt.getTime() <= bookedAt.getTime() + SIGHTING_GRACE_MS &&
  sightingAt.getTime() >= bookedAt.getTime() - settings.lookbackDays * DAY

/**
 * Rung 3: whether an opening of the booking widget can have produced a booking created at `bookedAt`.
 * A drawer (an iframe seen visible) must have been open then — opened before it, closed after it (a
 * drawer whose close never arrived was open at least until the session's last sign of life) — and used:
 * it took focus before the booking, or stayed visible long enough to book in. A link followed to a new
 * tab is an interval too, from the click to the visitor's return (the page hidden meanwhile stands for
 * focus); a link without a return (same-tab navigation, an older widget) keeps the time window around
 * the creation.
 */
export function openingFits({ drawer, session }: DrawerSighting, bookedAt: Date, settings: MatchSettings) {
  const t = bookedAt.getTime()
  const opened = drawer.openedAt.getTime()
  if (drawer.kind === 'link' && !leftForTab(drawer)) {
    return opened >= t - settings.windowBeforeMinutes * MINUTE && opened <= t + settings.windowAfterMinutes * MINUTE
  }
  const closed =
    drawer.closedAt?.getTime() ?? Math.max(session.lastSeenAt.getTime(), drawer.focusedAt?.getTime() ?? 0)
  if (opened > t - DRAWER_RULE.openedBeforeMs || closed < t - DRAWER_RULE.closeToleranceMs) return false
  const focused = drawer.focusedAt !== null && drawer.focusedAt.getTime() <= t + DRAWER_RULE.closeToleranceMs
  // Away in the booking tab is what focus is for a drawer.
  return focused || drawer.kind === 'link' || closed - opened >= DRAWER_RULE.usedVisibleMs
}

/**
 * Whether a followed link shows the time the visitor spent in the booking tab: a return to the page, or
 * the page left while away. A page left within seconds of the click is the link navigating this tab.
 */
const leftForTab = (drawer: DrawerSighting['drawer']) =>
  drawer.closedAt !== null && (drawer.closedBy !== 'unload' || (drawer.visibleMs ?? 0) >= SAME_TAB_MS)
const SAME_TAB_MS = 3_000

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/** Rung 1's evidence: session ids (UUIDs) written into a booking's free text by the site's forms or staff. */
export function sessionIdsIn(...texts: (string | null | undefined)[]): string[] {
  const ids = new Set<string>()
  for (const text of texts) for (const match of text?.matchAll(UUID) ?? []) ids.add(match[0].toLowerCase())
  return [...ids]
}
