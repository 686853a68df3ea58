/**
 * CSV as Excel opens it in a Russian locale: UTF-8 with a BOM (else Cyrillic is read as cp1251), `;` between
 * cells (the list separator there), CRLF rows, every cell quoted.
 */
const BOM = '\uFEFF'

/** A cell Excel would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is kept as text. */
function cell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value)
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return BOM + [header, ...rows].map((row) => row.map(cell).join(';')).join('\r\n') + '\r\n'
}
