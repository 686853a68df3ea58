/** Wraps a callback so that nothing the widget does can throw into the host page. */
export const safe =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R | void => {
    try {
      return fn(...args)
    } catch {}
  }

const lastAt = new Map<unknown, number>()

/** False when `key` fired less than `ms` ago (double submits, a click that also opens an iframe). */
export function guard(key: unknown, ms: number): boolean {
  const now = Date.now()
  return now - (lastAt.get(key) || 0) >= ms && !!lastAt.set(key, now)
}

/** A text field for the wire, trimmed and capped (names at 64 characters by default, URLs longer). */
export const clip = (text: unknown, max = 64) =>
  String(text || '')
    .trim()
    .slice(0, max)

export const hex = (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(bytes)].map((b) => (b + 256).toString(16).slice(1)).join('')

/** A random UUID v4 from getRandomValues, which, unlike randomUUID, also works on http pages. */
export const uuid = () =>
  hex(crypto.getRandomValues(new Uint8Array(16))).replace(
    /(.{8})(.{4}).(.{3}).(.{3})(.{12})/,
    '$1-$2-4$3-8$4-$5'
  )
