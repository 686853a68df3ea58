import { z } from 'zod'
import type { WirePayload } from '../../widget/src/wire'
import { byWireKey, EVENT_TYPES, TOUCH_TYPES } from '../db/schema'
import { hasContact, scrubText, scrubUrl } from './scrub'

/** Caps from attribution.md §6: URLs as long as Plausible accepts, everything else short. */
export const MAX_URL = 2000
export const MAX_TEXT = 200
export const MAX_EVENTS = 20

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const id = z
  .string()
  .regex(UUID, 'must be a UUID')
  .transform((s) => s.toLowerCase())
// Raw phones and emails are cut from every stored string (scrub.ts); the limits apply to what was sent.
const text = z.string().max(MAX_TEXT).transform(scrubText)
const epochMs = z.number().int().min(0).max(8.64e15)

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol)
  } catch {
    return false
  }
}

/**
 * A landing page, a referrer or an event's page: only http(s) is kept, anything else (`javascript:`,
 * `data:`, relative junk) becomes "", as the cabinet shows these as links. Not refused: the rest of
 * the send is still a visit. Nothing counts these, as nothing counts scrubbed contacts.
 */
const anyUrl = z
  .string()
  .max(MAX_URL)
  .transform((value) => (isHttpUrl(value) ? scrubUrl(value) : ''))

/** The payload's page is refused unless http(s): the collector checks its host against the site's. */
const pageUrl = z.string().max(MAX_URL).refine(isHttpUrl, 'must be an http(s) URL').transform(scrubUrl)

/** A click id named by a phone or email is dropped whole. */
const withoutContactKeys = (ids: Record<string, string>) =>
  Object.fromEntries(Object.entries(ids).filter(([name]) => !hasContact(name)))

const clickIds = z
  .record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'must be a parameter name'), text)
  .refine((ids) => Object.keys(ids).length <= 10, 'at most 10 click ids')
  .transform(withoutContactKeys)

// Written by field name; each is sent under its one-letter key (db/schema/touch.ts).
const touch = z.object(
  byWireKey({
    type: z.enum(TOUCH_TYPES),
    source: text,
    medium: text,
    campaign: text,
    content: text,
    term: text,
    utmId: text,
    clickIds: clickIds.optional(),
    landingUrl: anyUrl,
    referrer: anyUrl,
    at: epochMs,
  })
)

/** "p:" or "e:" plus SHA-256 hex of the normalised phone or email: never a raw contact. */
export const wireContactHash = z
  .string()
  .regex(/^[pe]:[0-9a-f]{64}$/, 'must be p: or e: plus SHA-256 hex')

const DAY_MS = 86_400_000

const event = z
  .object({
    i: id,
    t: z.enum(EVENT_TYPES),
    a: epochMs,
    u: anyUrl.optional(),
    n: text.optional(),
    h: z.array(wireContactHash).max(4).optional(),
    // Accepted for the widget's diagnostics, not stored.
    z: z.number().int().min(0).optional(),
    o: id.optional(),
    // A drawer left open for days is not refused (that would lose the payload's other events): capped.
    d: z
      .number()
      .int()
      .min(0)
      .max(8.64e15)
      .transform((ms) => Math.min(ms, DAY_MS))
      .optional(),
  })
  .refine((e) => e.o !== undefined || (e.t !== 'booking_focus' && e.t !== 'booking_close'), {
    message: 'booking_focus and booking_close need o, the id of their booking_open',
    path: ['o'],
  })
  .refine((e) => e.d !== undefined || e.t !== 'booking_close', {
    message: 'booking_close needs d, the milliseconds the drawer was visible',
    path: ['d'],
  })

/** The body of `POST /c` (see widget/src/wire.ts for the field meanings). */
export const wirePayloadSchema = z.object({
  k: z.string().min(1).max(64),
  v: id,
  s: id,
  b: epochMs,
  // Optional for payloads an older widget left in its retry queue: their times are taken as sent.
  w: epochMs.optional(),
  u: pageUrl,
  f: touch,
  c: touch,
  e: z.array(event).min(1).max(MAX_EVENTS),
})

export type CollectPayload = z.infer<typeof wirePayloadSchema>
export type CollectTouch = z.infer<typeof touch>

/** One ingest-queue message: a validated payload with the site it was resolved to. */
export const ingestMessageSchema = z.object({
  siteId: z.string().min(1),
  receivedAt: epochMs,
  payload: wirePayloadSchema,
})
export type IngestMessage = z.infer<typeof ingestMessageSchema>

// The widget's wire type must stay assignable to what the collector accepts.
type Accepts<T extends z.input<typeof wirePayloadSchema>> = T
export type WireCheck = Accepts<WirePayload>

/** What a sender may post: the widget's wire type, with `w` optional as for older widgets' queued sends. */
export type WireInput = z.input<typeof wirePayloadSchema>
