import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { api, call } from '../helpers'

// The cabinet API as /openapi.json describes it: the route table the API tests are generated from.

type Schema = Record<string, any>
export type Operation = {
  method: string
  path: string
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[]
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> }
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>
  security?: Record<string, string[]>[]
}
export type ApiDocument = {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, Schema> }
  security?: Record<string, string[]>[]
  servers?: { url: string }[]
}

export async function loadDocument(): Promise<ApiDocument> {
  const res = await call('/openapi.json')
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`)
  return res.json()
}

export function operations(doc: ApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path }))
  )
}

export const isCabinet = (op: Operation) => op.path.startsWith('/api/v1/')

/** Every paginated list: a cabinet GET without path parameters. */
export const listRoutes = (doc: ApiDocument) =>
  operations(doc).filter((op) => isCabinet(op) && op.method === 'GET' && !op.path.includes('{'))

/** Every cabinet route that names one row by `{id}`. */
export const idRoutes = (doc: ApiDocument) =>
  operations(doc).filter((op) => isCabinet(op) && op.path.includes('{id}'))

/** `/api/v1/integrations/{id}/run` → `/api/v1/integrations`: the list that row comes from. */
export const collectionOf = (path: string) => path.slice(0, path.indexOf('/{id}'))

export const withId = (path: string, id: string) => path.replace('{id}', encodeURIComponent(id))

export const queryParams = (op: Operation) => (op.parameters ?? []).filter((p) => p.in === 'query')

/** `{ createdFrom, createdTo }` or `{ modifiedFrom, modifiedTo }`: the date filter of a list. */
export function dateRangeOf(op: Operation): { from: string; to: string } | undefined {
  const dates = queryParams(op).filter((p) => p.schema.format === 'date-time')
  const from = dates.find((p) => p.name.endsWith('From'))
  const to = dates.find((p) => p.name === `${from?.name.slice(0, -4)}To`)
  return from && to ? { from: from.name, to: to.name } : undefined
}

const REF = '#/components/schemas/'

/** The schema with every component reference replaced by a copy of the component. */
function inline(doc: ApiDocument, schema: unknown, seen: string[] = []): any {
  if (Array.isArray(schema)) return schema.map((item) => inline(doc, item, seen))
  if (!schema || typeof schema !== 'object') return schema
  const { $ref, ...rest } = schema as Schema
  if ($ref === undefined) {
    return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, inline(doc, v, seen)]))
  }
  const target = String($ref).startsWith(REF) && doc.components.schemas[$ref.slice(REF.length)]
  if (!target) throw new Error(`unresolved ${$ref}`)
  if (seen.includes($ref)) throw new Error(`recursive ${$ref}: not supported here`)
  return inline(doc, { ...target, ...rest }, [...seen, $ref])
}

/**
 * Makes every object refuse fields its schema does not declare (the document's schemas allow them),
 * so an answer carrying an undocumented field fails too. allOf members stay open: siblings add.
 */
function closeObjects(schema: any, isAllOfMember = false): any {
  if (Array.isArray(schema)) return schema.map((item) => closeObjects(item))
  if (!schema || typeof schema !== 'object') return schema
  const out: Schema = {}
  for (const [key, value] of Object.entries(schema)) {
    const members = key === 'allOf' && Array.isArray(value)
    out[key] = members ? value.map((m) => closeObjects(m, true)) : closeObjects(value)
  }
  const parts: Schema[] | undefined = schema.allOf
  const objectParts = Array.isArray(parts) && parts.every((m) => m.type === 'object')
  if (objectParts) out.type = 'object'
  const open = isAllOfMember || 'additionalProperties' in schema
  if ((schema.type === 'object' || objectParts) && !open) out.unevaluatedProperties = false
  return out
}

/** Checks real answers against the schema the document declares for that route and status. */
export function responseChecker(doc: ApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats(ajv)
  ajv.addVocabulary(['example'])
  const compiled = new Map<Schema, ValidateFunction>()
  return (op: Pick<Operation, 'method' | 'path'>, status: number, body: unknown): string[] => {
    const route = `${op.method} ${op.path}`
    const declared = doc.paths[op.path]?.[op.method.toLowerCase()]?.responses[String(status)]
    if (!declared) return [`${route}: status ${status} is not documented`]
    const schema = declared.content?.['application/json']?.schema
    if (!schema) return body === undefined ? [] : [`${route} ${status}: body undocumented`]
    if (!compiled.has(schema)) compiled.set(schema, ajv.compile(closeObjects(inline(doc, schema))))
    const validate = compiled.get(schema)!
    if (validate(body)) return []
    return (validate.errors ?? []).map((e) => `${route} ${status}: ${e.instancePath} ${e.message}`)
  }
}

/** Every row of a list as `account` sees it, page by page (200 a page). */
export async function listAll(account: string, path: string, query: Record<string, string> = {}) {
  const rows: Record<string, any>[] = []
  let cursor: string | null = null
  for (let page = 0; page < 50; page++) {
    const params = new URLSearchParams({ ...query, limit: '200', ...(cursor ? { cursor } : {}) })
    const res = await api(account, `${path}?${params}`)
    if (res.status !== 200) {
      throw new Error(`GET ${path}?${params} answered ${res.status}: ${await res.text()}`)
    }
    const body = (await res.json()) as { data: Record<string, any>[]; nextCursor: string | null }
    rows.push(...body.data)
    cursor = body.nextCursor
    if (!cursor) return rows
  }
  throw new Error(`GET ${path}: no last page after 50 pages`)
}
