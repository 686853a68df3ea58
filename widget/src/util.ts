/** Runs `fn` and swallows what it throws: nothing the widget does may throw into the host page. */
export const attempt = <R>(fn: () => R): R | void => {
  try {
    return fn()
  } catch {}
}

/** A text field for the wire, trimmed and capped at the collector's limit (URLs pass a longer one). */
export const clip = (text: unknown, max = 200) =>
  String(text || '')
    .trim()
    .slice(0, max)

export const hex = (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(bytes)].map((b) => (b + 256).toString(16).slice(1)).join('')

/** A random UUID v4 from getRandomValues, which, unlike randomUUID, also works on http pages. */
export const uuid = () =>
  hex(crypto.getRandomValues(new Uint8Array(16))).replace(
    /^(.{8})(.{4}).(.{3}).(.{3})/,
    '$1-$2-4$3-8$4-'
  )
