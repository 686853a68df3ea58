import { contactHashes, type Contact } from './hash'
import { attempt, clip } from './util'
import type { WireEvent, WireEventType } from './wire'

export type RecordEvent = (type: WireEventType, extra?: Partial<WireEvent>) => void

/** The hidden input every form of the site carries, so a submitted form names its session. */
export const SESSION_FIELD = 'mb_session_id'
const BOOKING_BUTTON = '.medods-record-btn'

export function stampForms(sessionId: string): void {
  for (const form of document.forms) {
    form[SESSION_FIELD] ||
      form.insertAdjacentHTML('beforeend', `<input type=hidden name=${SESSION_FIELD}>`)
    form[SESSION_FIELD].value = sessionId
  }
}

// When each form was last submitted and the booking drawer last opened (keyed by document), and the
// src each iframe was last seen with.
const seen = new WeakMap<object, unknown>()

/** False when `key` fired less than 2 s ago: double submits, a click that also opens an iframe. */
const guard = (key: object) => {
  const now = Date.now()
  return now - ((seen.get(key) as number) || 0) > 2000 && seen.set(key, now)
}

/** A form's fields by type + name + id, where contactHashes finds the phone and email. */
function fieldsOf(form: HTMLFormElement) {
  const fields: Contact = {}
  for (const { type, name, id, value } of form.elements as unknown as HTMLInputElement[])
    fields[type + name + id] = value
  return fields
}

/**
 * Links a visit to what follows it: submits of the site's forms (never preventDefault, contacts
 * hashed), and the Medods online-booking drawer opening (its buttons, links to it, its iframe
 * appearing) or talking to the page. Listeners capture on window, first of all, inside `attempt`.
 */
export function watchLinks(record: RecordEvent, sessionId: () => string, bookingOrigin?: string) {
  // An origin, a link or an iframe src: exactly https://online-*.medods.ru or the extra origin.
  const isBooking = (url: string) =>
    /^https:\/\/online-[\w-]+\.medods\.ru\//.test((url += '/')) ||
    !url.indexOf(bookingOrigin + '/')
  const opened = (name: unknown) => guard(document) && record('booking_open', { n: clip(name) })
  const on = <E extends Event>(type: string, listener: (event: E) => void) =>
    addEventListener(type, (event) => attempt(() => listener(event as E)), true)

  on<SubmitEvent & { target: HTMLFormElement }>('submit', ({ target: form }) => {
    stampForms(sessionId())
    if (guard(form))
      contactHashes(fieldsOf(form)).then((h) =>
        record('form_submit', { n: clip(form.id || form.name), h })
      )
  })
  on('click', ({ target }) => {
    const el = (target as Element).closest<HTMLAnchorElement>(BOOKING_BUTTON + ',a[href]')
    if (el && (el.matches(BOOKING_BUTTON) || isBooking(el.href))) opened(el.textContent)
  })
  // Only the type and size of a message are kept: its data may hold the patient's details.
  on<MessageEvent>('message', ({ origin, data }) => {
    if (isBooking(origin))
      record('booking_message', {
        n: clip(data?.type || typeof data),
        z: JSON.stringify(data).length,
      })
  })
  // A booking iframe appearing, or getting a booking src, is an opening.
  new MutationObserver(() => {
    for (const frame of document.querySelectorAll('iframe'))
      if (seen.get(frame) != frame.src && seen.set(frame, frame.src) && isBooking(frame.src))
        opened('iframe')
  }).observe(document, { childList: true, subtree: true, attributeFilter: ['src'] })
}
