import fc from 'fast-check'

/** One operation of `/openapi.json`: what the fuzzer needs to aim at it. */
export type Operation = {
  method: string
  /** OpenAPI path, e.g. `/api/v1/sites/{id}`. */
  path: string
  queryNames: string[]
  bodyFields: string[]
}

type OpenApiDoc = {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: any }>>
}

/** Every operation of the document, so a route added later is fuzzed without touching this file. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const content = op.requestBody?.content ?? {}
      const schema = (Object.values(content)[0] as { schema?: any } | undefined)?.schema ?? {}
      return {
        method: method.toUpperCase(),
        path,
        queryNames: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.keys(schema.properties ?? {}),
      }
    })
  )
}

/** Header-safe text: printable ASCII, which is all `Headers` accepts without throwing in the test. */
export const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 })

const nasty = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '..',
  '%00',
  '%zz',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '\u0000',
  '\uD800',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'x'.repeat(5000),
  '2026-02-30T25:61:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z'
)

/** Values a client could put anywhere: nasty strings, numbers, any JSON. */
export const anyValue = fc.oneof(nasty, fc.string(), fc.integer().map(String), fc.jsonValue())

/** A path parameter: a real id of the account, a nasty or random string, URL-encoded by the caller. */
export const pathParam = (realId: string | undefined) =>
  fc.oneof(realId ? fc.constant(realId) : nasty, nasty, fc.string({ minLength: 1 }))

/** A query string: known names with random values, unknown names, broken percent-encoding. */
export const queryString = (names: string[]) =>
  fc.oneof(
    fc
      .dictionary(fc.oneof(names.length ? fc.constantFrom(...names) : fc.string(), fc.string()), anyValue.map(asText), {
        maxKeys: 4,
      })
      .map((entries) => new URLSearchParams(entries).toString()),
    fc.constantFrom('%', '%zz', '&&=&', 'limit=1&limit=2', 'cursor=%FF%FE', 'a[b]=c', '=')
  )

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** A request body: JSON of known fields with random values, any JSON, or text that is not JSON. */
export const body = (fields: string[]) =>
  fc.oneof(
    fc.dictionary(fields.length ? fc.constantFrom(...fields) : fc.string(), anyValue, { maxKeys: 6 }).map(asText),
    fc.jsonValue().map(asText),
    fc.string(),
    nasty,
    fc.constant(undefined)
  )

export const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'json'
)
