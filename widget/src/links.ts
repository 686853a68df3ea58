import { contactHashes } from './hash'
import { clip, guard, safe } from './util'
import type { WireEvent, WireEventType } from './wire'

export type RecordEvent = (type: WireEventType, extra?: Partial<WireEvent>) => void

/** The hidden input every form of the site carries, so a submitted form names its session. */
export const SESSION_FIELD = 'mb_session_id'
const BOOKING_BUTTON = '.medods-record-btn'

export function stampForms(sessionId: string): void {
  for (const form of document.forms)
    (
      form[SESSION_FIELD] ||
      form.appendChild(
        Object.assign(document.createElement('input'), { type: 'hidden', name: SESSION_FIELD })
      )
    ).value = sessionId
}

/** Phone and email typed into a form, found by input type, name or id; never sent, only hashed. */
function contactsOf(form: HTMLFormElement): { phone?: string; email?: string } {
  const found: Record<string, string> = {}
  for (const { type, name, id, value } of form.elements as unknown as HTMLInputElement[]) {
    const label = type + name + id
    // Other fields land under "other", which nothing reads.
    if (value && type != 'hidden')
      found[/tel|phone/i.test(label) ? 'phone' : /mail/i.test(label) ? 'email' : 'other'] ||= value
  }
  return found
}

/**
 * Links a visit to what follows it: submits of the site's forms (capture phase, never preventDefault,
 * contacts hashed), and the Medods online-booking drawer opening (its buttons, links to it, its
 * iframe appearing) or talking to the page. Listeners run inside `safe`, so a throw stays here.
 */
export function watchLinks(record: RecordEvent, sessionId: () => string, bookingOrigin?: string) {
  const isBooking = (url: string) => {
    const { origin } = new URL(url, location.href)
    return /^https:\/\/online-[\w-]+\.medods\.ru$/.test(origin) || origin == bookingOrigin
  }
  // One opening is often seen twice: the click, then the iframe it creates.
  const opened = (name: string | null) =>
    guard('booking', 2000) && record('booking_open', { n: clip(name) })
  const frameSources = new WeakMap<HTMLIFrameElement, string>()
  const on = <E extends Event>(target: EventTarget, type: string, listener: (event: E) => void) =>
    target.addEventListener(type, safe(listener) as EventListener, true)

  on<SubmitEvent & { target: HTMLFormElement }>(document, 'submit', ({ target: form }) => {
    stampForms(sessionId())
    if (guard(form, 5000))
      contactHashes(contactsOf(form)).then((h) =>
        record('form_submit', { n: clip(form.id || form.name), h })
      )
  })
  on(document, 'click', ({ target }) => {
    const el = (target as Element).closest<HTMLAnchorElement>(BOOKING_BUTTON + ',a[href]')
    if (el && (el.matches(BOOKING_BUTTON) || isBooking(el.href))) opened(el.textContent)
  })
  // Only the type and size of a message are kept: its data may hold the patient's details.
  on<MessageEvent>(window, 'message', ({ origin, data }) => {
    if (isBooking(origin))
      record('booking_message', {
        n: clip(data?.type || typeof data),
        z: JSON.stringify(data).length,
      })
  })
  // A booking iframe appearing, or getting a booking src, is an opening.
  new MutationObserver(
    safe(() => {
      for (const frame of document.querySelectorAll('iframe'))
        if (
          frameSources.get(frame) != frame.src &&
          frameSources.set(frame, frame.src) &&
          isBooking(frame.src)
        )
          opened('iframe')
    })
  ).observe(document, { childList: true, subtree: true, attributeFilter: ['src'] })
}
