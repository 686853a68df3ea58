import type { ColumnBuilderBase } from 'drizzle-orm'
import { text } from 'drizzle-orm/sqlite-core'
import { msTime } from './columns'

export const TOUCH_TYPES = ['utm', 'organic', 'referral', 'direct'] as const

/**
 * The fields of a touch, the one place they are declared. Each is keyed by its name in a touch kept
 * whole (a session's first touch) and in the API's attribution, and gives its one-letter key on the
 * wire (widget/src/wire.ts) and the session property and column that hold it as the session's
 * current touch. The landing URL, referrer and time are prefixed there: the session has a landing
 * URL and times of its own.
 */
const TOUCH_FIELDS = {
  type: {
    wire: 't',
    current: 'touchType',
    column: () => text('touch_type', { enum: TOUCH_TYPES }).notNull(),
  },
  source: { wire: 's', current: 'source', column: () => text('source').notNull() },
  medium: { wire: 'm', current: 'medium', column: () => text('medium').notNull() },
  campaign: { wire: 'c', current: 'campaign', column: () => text('campaign').notNull() },
  content: { wire: 'o', current: 'content', column: () => text('content').notNull() },
  term: { wire: 'e', current: 'term', column: () => text('term').notNull() },
  utmId: { wire: 'i', current: 'utmId', column: () => text('utm_id').notNull() },
  clickIds: {
    wire: 'k',
    current: 'clickIds',
    column: () => text('click_ids', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  },
  landingUrl: {
    wire: 'l',
    current: 'touchLandingUrl',
    column: () => text('touch_landing_url').notNull(),
  },
  referrer: { wire: 'r', current: 'touchReferrer', column: () => text('touch_referrer').notNull() },
  at: { wire: 'a', current: 'touchAt', column: () => msTime('touch_at') },
} as const satisfies Record<
  string,
  { wire: string; current: string; column: () => ColumnBuilderBase }
>

type Fields = typeof TOUCH_FIELDS
type TouchField = keyof Fields
type WireKey<F extends TouchField> = Fields[F]['wire']
type CurrentKey<F extends TouchField> = Fields[F]['current']
type CurrentColumns = { [F in TouchField as CurrentKey<F>]: ReturnType<Fields[F]['column']> }
// What a row holds in a column as drizzle types it: the `$type` given, else the builder's own.
type ColumnData<B extends ColumnBuilderBase> = B['_'] extends { $type: infer T }
  ? T
  : B['_']['data']

/** A session's current touch, as its row holds it (the time a Date). */
export type CurrentTouch = { [K in keyof CurrentColumns]: ColumnData<CurrentColumns[K]> }
/** A touch kept whole, as JSON: by field name, the time in ms since epoch. */
export type StoredTouch = {
  [F in TouchField]: F extends 'at' ? number : CurrentTouch[CurrentKey<F>]
}
/** Something for each touch field, by the field's one-letter key on the wire. */
type ByWireKey<T extends Record<TouchField, unknown>> = { [F in TouchField as WireKey<F>]: T[F] }

const FIELD_NAMES = Object.keys(TOUCH_FIELDS) as TouchField[]
const wireKey = (f: TouchField) => TOUCH_FIELDS[f].wire
const currentKey = (f: TouchField) => TOUCH_FIELDS[f].current

// Object.fromEntries loses the keys, so each caller states the type its entries make.
const perField = (entry: (f: TouchField) => [string, unknown]) =>
  Object.fromEntries(FIELD_NAMES.map(entry))

/** Each touch field's name and the session property that holds it as the current touch. */
export const TOUCH_FIELD_KEYS = FIELD_NAMES.map((f) => [f, currentKey(f)] as const)

/** The session properties that hold its current touch, which is replaced only whole. */
export const CURRENT_TOUCH_KEYS = FIELD_NAMES.map(currentKey)

/** The columns of a session's current touch, to spread into the sessions table. */
export const currentTouchColumns = () =>
  perField((f) => [currentKey(f), TOUCH_FIELDS[f].column()]) as CurrentColumns

/** Whether two touches are the same in every field (click ids in any order). */
export const sameTouch = (a: StoredTouch, b: StoredTouch) =>
  FIELD_NAMES.every((f) =>
    f === 'clickIds'
      ? JSON.stringify(Object.entries(a.clickIds).sort()) === JSON.stringify(Object.entries(b.clickIds).sort())
      : a[f] === b[f]
  )

/** A touch as a session row's current touch. */
export const currentTouchOf = (touch: StoredTouch) =>
  perField((f) => [currentKey(f), f === 'at' ? new Date(touch.at) : touch[f]]) as CurrentTouch

/** Just the current touch of a session row. */
export const pickCurrentTouch = (row: CurrentTouch) =>
  perField((f) => [currentKey(f), row[currentKey(f)]]) as CurrentTouch

/** A session row's current touch by field name. */
export const storedTouchOf = (row: CurrentTouch) =>
  perField((f) => [f, f === 'at' ? row.touchAt.getTime() : row[currentKey(f)]]) as StoredTouch

/** A touch as the wire sent it, by field name. */
export const byFieldName = <W extends Partial<Record<WireKey<TouchField>, unknown>>>(wire: W) =>
  perField((f) => [f, wire[wireKey(f)]]) as { [F in TouchField]: W[WireKey<F>] }

/** Something for each touch field, keyed for the wire. */
export const byWireKey = <T extends Record<TouchField, unknown>>(byField: T) =>
  perField((f) => [wireKey(f), byField[f]]) as ByWireKey<T>
