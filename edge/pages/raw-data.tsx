import type { Context } from 'hono'
import { decodeCursor, encodeCursor, type Position } from '../db/keyset'
import type { AppEnv } from '../types'
import { rawDataQuery, withQuery, type RawDataQuery } from './format'
import { Field } from './layout'

type DateErrors = { from?: string; to?: string }

/** What a list shows while its filter has errors. */
export const EMPTY_PAGE = { rows: [], next: null }

/**
 * The page's query and where its list starts, or errors next to the date fields (the list is then not
 * read). A cursor this app did not issue starts the list from the top, as a link without one does.
 */
export function readRawDataQuery(c: Context<AppEnv>): {
  query: RawDataQuery
  cursor?: Position
  errors?: DateErrors
} {
  const parsed = rawDataQuery.safeParse(c.req.query())
  if (parsed.success) {
    const cursor = parsed.data.cursor ? decodeCursor(parsed.data.cursor) : undefined
    return { query: cursor ? parsed.data : { ...parsed.data, cursor: undefined }, cursor }
  }
  const errors: DateErrors = {}
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] === 'to' ? 'to' : 'from'
    errors[field] ??= 'Дата в формате ГГГГ-ММ-ДД'
  }
  return { query: { from: '', to: '' }, errors }
}

/** The from/to days of a filter form ("Созданы с … по …"), each error under its field. */
export function DateFields(props: { query: { from: string; to: string }; errors?: DateErrors; label: string }) {
  const invalid = (error?: string) => (error ? 'true' : undefined)
  return (
    <>
      <Field id="from" label={`${props.label} с`} error={props.errors?.from}>
        <input type="date" id="from" name="from" value={props.query.from} aria-invalid={invalid(props.errors?.from)} />
      </Field>
      <Field id="to" label="по" error={props.errors?.to}>
        <input type="date" id="to" name="to" value={props.query.to} aria-invalid={invalid(props.errors?.to)} />
      </Field>
    </>
  )
}

export function DateFilter(props: {
  action: string
  query: RawDataQuery
  errors?: DateErrors
  label: string
}) {
  return (
    <form method="get" action={props.action} class="filters card">
      <DateFields query={props.query} errors={props.errors} label={props.label} />
      <button type="submit">Показать</button>
      {(props.query.from || props.query.to) && <a href={props.action}>Сбросить</a>}
    </form>
  )
}

/** Forward keyset paging: the next page keeps the filter (`keep`: a page's other filters too). */
export function Pager(props: {
  path: string
  query: RawDataQuery
  next: Position | null
  keep?: Record<string, string | undefined>
}) {
  const filter = { from: props.query.from, to: props.query.to, ...props.keep }
  return (
    <nav class="pager">
      {props.query.cursor && <a href={withQuery(props.path, filter)}>← К началу</a>}
      {props.next && (
        <a href={withQuery(props.path, { ...filter, cursor: encodeCursor(props.next) })} rel="next">
          Следующая страница →
        </a>
      )}
    </nav>
  )
}
