/**
 * The widget → collector wire format: the body of `POST /c`, sent as `text/plain` JSON (no CORS preflight).
 * One-letter keys keep every request small (Russian ISPs cut Cloudflare connections after ~16 KB).
 * The collector's zod schema (edge/collect) is the server-side source of truth and must accept exactly this.
 */

/** How a visitor arrived. Absent fields are empty strings. Server-side names: edge/db/schema/touch.ts. */
export type WireTouch = {
  t: 'utm' | 'organic' | 'referral' | 'direct' // type
  s: string // source, e.g. "yandex", "(direct)"
  m: string // medium, e.g. "cpc", "organic", "referral", "(none)"
  c: string // utm_campaign
  o: string // utm_content
  e: string // utm_term
  i: string // utm_id
  k?: Record<string, string> // click ids, raw, by parameter name: { yclid: "…", gclid: "…" }
  l: string // landing page URL (full href)
  r: string // referrer at that touch ("" when none)
  a: number // when, ms since epoch (client clock)
}

export type WireEventType =
  | 'pageview'
  | 'booking_open' // the booking iframe became visible (n "iframe"), or a link to the site was followed (n "link")
  | 'booking_focus' // focus moved into the open drawer's iframe; once per opening
  // the open drawer's iframe was hidden or removed, or the page was hidden or left; for a link followed to
  // a new tab: the page visible again after being hidden, or left
  | 'booking_close'
  | 'booking_message' // sent by older widgets only; still accepted
  | 'form_submit'
  | 'identify'
  | 'custom' // track(name) of the public API; the name is in n

export type WireEvent = {
  i: string // event id: a random UUID made once per event; a retried send reuses it
  t: WireEventType // type
  a: number // when, ms since epoch (client clock)
  u?: string // page URL at the event
  // name: form id or name, how a booking opened ("iframe", "link"), or on booking_close "unload" when the
  // page was hidden or left (absent: the iframe was hidden or removed, or the visitor came back from the
  // booking tab a link opened)
  n?: string
  // contact hashes, never raw contacts: "p:" + sha256hex(phone as E.164 digits, e.g. 79991234567)
  // or "e:" + sha256hex(trimmed lowercased email); on identify and form_submit events
  h?: string[]
  z?: number // size of a booking_message's data in characters of its JSON (the data itself is never sent)
  o?: string // booking_focus, booking_close: the id (i) of the booking_open they belong to
  d?: number // booking_close: milliseconds the drawer was visible (a link: since the click), an integer
}

export type WirePayload = {
  k: string // site key (data-site of the script tag)
  v: string // visitor id (random UUID, long-lived)
  s: string // session id (random UUID; a new one after 30 min idle or on a new campaign touch)
  b: number // session start, ms since epoch
  u: string // current page URL; its host must be the site's domain or a subdomain
  f: WireTouch // first touch (write-once per visitor)
  c: WireTouch // current touch of this session
  e: WireEvent[] // 1 to 20 events
  // send time, ms since epoch (client clock), set by each fetch, a retry's too: receipt time − w is the
  // client clock's offset
  w: number
}
