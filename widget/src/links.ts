import { contactHashes } from './hash'
import { guard, safe, short } from './util'
import type { WireEvent, WireEventType } from './wire'

export type RecordEvent = (type: WireEventType, extra?: Partial<WireEvent>) => void

/** The hidden input every form of the site carries, so a submitted form names its session. */
export const SESSION_FIELD = 'mb_session_id'

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
    const kind = /tel|phone/i.test(type + name + id)
      ? 'phone'
      : /mail/i.test(type + name + id) && 'email'
    if (kind && value && type != 'hidden') found[kind] ||= value
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
    const origin = new URL(url, location.href).origin
    return /^https:\/\/online-[\w-]+\.medods\.ru$/.test(origin) || origin == bookingOrigin
  }
  // One opening is often seen twice: the click, then the iframe it creates.
  const opened = (name: string | null) =>
    guard('booking', 2000) && record('booking_open', { n: short(name) })
  const frameSources = new WeakMap<HTMLIFrameElement, string>()

  const onSubmit = ({ target: form }: { target: HTMLFormElement }) => {
    stampForms(sessionId())
    if (guard(form, 5000))
      contactHashes(contactsOf(form)).then((h) =>
        record('form_submit', { n: short(form.id || form.name), h })
      )
  }
  const onClick = ({ target }: { target: Element }) => {
    const el = target.closest<HTMLAnchorElement>('.medods-record-btn,a[href]')
    if (el && (el.matches('.medods-record-btn') || isBooking(el.href))) opened(el.textContent)
  }
  // A booking iframe appearing, or getting a booking src, is an opening.
  const onMutation = () => {
    for (const frame of document.querySelectorAll('iframe'))
      if (
        frameSources.get(frame) != frame.src &&
        frameSources.set(frame, frame.src) &&
        isBooking(frame.src)
      )
        opened('iframe')
  }
  // Only the type and size of a message are kept: its data may hold the patient's details.
  const onMessage = ({ origin, data }: MessageEvent) => {
    if (isBooking(origin))
      record('booking_message', {
        n: short(String(data?.type || typeof data)),
        z: JSON.stringify(data).length,
      })
  }

  document.addEventListener('submit', safe(onSubmit as never), true)
  document.addEventListener('click', safe(onClick as never), true)
  addEventListener('message', safe(onMessage))
  new MutationObserver(safe(onMutation)).observe(document, {
    childList: true,
    subtree: true,
    attributeFilter: ['src'],
  })
}
