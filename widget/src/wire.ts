/**
 * The widget → collector wire format: the body of `POST /c`, sent as `text/plain` JSON (no CORS preflight).
 * One-letter keys keep every request small (Russian ISPs cut Cloudflare connections after ~16 KB).
 * The collector's zod schema (edge/collect) is the server-side source of truth and must accept exactly this.
 */

/** How a visitor arrived. Absent fields are empty strings. */
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
  | 'booking_open'
  | 'booking_message'
  | 'form_submit'
  | 'identify'
  | 'custom' // track(name) of the public API; the name is in n

export type WireEvent = {
  i: string // event id: a random UUID made once per event; a retried send reuses it
  t: WireEventType // type
  a: number // when, ms since epoch (client clock)
  u?: string // page URL at the event
  n?: string // name: form id or name, booking button text, or the booking message's type
  // contact hashes, never raw contacts: "p:" + sha256hex(phone as E.164 digits, e.g. 79991234567)
  // or "e:" + sha256hex(trimmed lowercased email); on identify and form_submit events
  h?: string[]
  z?: number // size of a booking_message's data in characters of its JSON (the data itself is never sent)
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
}
