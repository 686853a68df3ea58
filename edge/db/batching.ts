/** D1 refuses a statement with 100 or more bound parameters. */
export const MAX_BOUND_PARAMS = 99

/** Splits rows or values into groups small enough for one statement each. */
export const chunk = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))
