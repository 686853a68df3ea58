import { contactHashes, type Contact } from './hash'
import { attempt, clip, uuid } from './util'
import type { WireEvent, WireEventType } from './wire'

/** Records one event; `extra.i` gives it the caller's own id, which later events name in `o`. */
export type RecordEvent = (type: WireEventType, extra?: Partial<WireEvent>) => void

/** The hidden input every form of the site carries, so a submitted form names its session. */
export const SESSION_FIELD = 'mb_session_id'

export function stampForms(sessionId: string): void {
  for (const form of document.forms) {
    form[SESSION_FIELD] ||
      form.insertAdjacentHTML('beforeend', `<input type=hidden name=${SESSION_FIELD}>`)
    form[SESSION_FIELD].value = sessionId
  }
}

/** A form's fields by type + name + id, where contactHashes finds the phone and email. */
function fieldsOf(form: HTMLFormElement) {
  const fields: Contact = {}
  for (const { type, name, id, value } of form.elements as unknown as HTMLInputElement[])
    fields[type + name + id] = value
  return fields
}

/**
 * Seen by the visitor: a box that intersects the viewport (display: none leaves none), not hidden by
 * visibility or opacity 0 on it or an ancestor. Browsers without checkVisibility (Safari before 17.4)
 * and Chrome before 121 (older option names) see the box only; size comes first here.
 */
function shown(frame: HTMLIFrameElement) {
  const box = frame.getBoundingClientRect()
  return (
    box.width &&
    box.height &&
    box.bottom > 0 &&
    box.right > 0 &&
    box.top < innerHeight &&
    box.left < innerWidth &&
    frame.checkVisibility?.({ opacityProperty: true, visibilityProperty: true }) != false
  )
}

/**
 * An open booking drawer: the id of its booking_open, since when it is open, focus recorded (for a
 * followed link: the page was hidden since), its iframe.
 */
type Drawer = { o: string; a: number; f?: 1; e?: HTMLIFrameElement }

/**
 * Links a visit to what follows it: submits of the site's forms (never preventDefault, contacts
 * hashed), links to the Medods online-booking site, and its drawer as an interval (open, focus,
 * close). Listeners capture on window, first of all, inside `attempt`.
 */
export function watchLinks(record: RecordEvent, sessionId: () => string, bookingOrigin?: string) {
  // An origin, a link or an iframe src: exactly https://online-*.medods.ru or the extra origin.
  const isBooking = (url: string) =>
    /^https:\/\/online-[\w-]+\.medods\.ru\//.test((url += '/')) ||
    !url.indexOf(bookingOrigin + '/')
  const on = <E extends Event>(type: string, listener: (event: E) => void) =>
    addEventListener(type, (event) => attempt(() => listener(event as E)), true)

  // `_mbt`: when the form was last submitted, so that a double submit within 2 s counts once.
  on<SubmitEvent & { target: HTMLFormElement & { _mbt?: number } }>('submit', ({ target: form }) => {
    stampForms(sessionId())
    if (Date.now() - (form._mbt || 0) > 2000 && (form._mbt = Date.now()))
      contactHashes(fieldsOf(form)).then((h) =>
        record('form_submit', { n: clip(form.id || form.name), h })
      )
  })
  // A link to the booking site opens it at once, in this tab or another. Followed to a new tab, it is
  // an interval too: until the visitor comes back to this page (or leaves it).
  let away: Drawer | 0 = 0
  on('click', ({ target }) => {
    if (isBooking((target as Element).closest('a')?.href || ''))
      record('booking_open', { i: (away = { o: uuid(), a: Date.now() }).o, n: 'link' })
  })

  // A loader may insert the booking iframe hidden at page load: the drawer opens when the iframe is
  // shown, and closes when it is hidden, removed, or the page is hidden or left (attribution.md §16).
  // One drawer at a time: a page shows one booking iframe.
  let drawer: Drawer | 0 = 0
  // n "unload": the page was hidden or left; absent: the drawer was hidden or removed, or the visitor
  // came back from the booking tab.
  const close = ({ o, a }: Drawer, left: unknown) =>
    record('booking_close', { o, d: Date.now() - a, n: left ? 'unload' : undefined })
  // Only a pagehide event is told apart.
  const check = (event?: unknown) =>
    attempt(() => {
      const unload = event == 1
      const leaving = unload || document.hidden
      if (away && (unload || (!leaving && away.f))) close(away, unload), (away = 0)
      if (away && leaving) away.f = 1 // hidden: the booking tab is in front
      const frame =
        !leaving && [...document.querySelectorAll('iframe')].find((f) => isBooking(f.src) && shown(f))
      if (drawer && frame != drawer.e) close(drawer, leaving), (drawer = 0)
      if (frame && !drawer)
        record('booking_open', { i: (drawer = { o: uuid(), a: Date.now(), e: frame }).o, n: 'iframe' })
      // Focus inside a cross-origin frame shows only as the frame being the active element.
      if (drawer && !drawer.f && document.activeElement == frame)
        (drawer.f = 1), record('booking_focus', { o: drawer.o })
    })
  // Shown by a class, a style, a transform sliding it in, a fade, a scroll, and focus moving into the
  // frame: a poll twice a second sees them all for a few bytes (an observer or listener for each cost
  // more than the whole drawer logic). The page hidden or left is acted on at once.
  setInterval(check, 500)
  addEventListener('visibilitychange', check)
  addEventListener('pagehide', () => check(1))
}
