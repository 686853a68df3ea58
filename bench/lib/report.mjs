// How a bench hands its figures to bench/run.mjs: JSON in the file named by $BENCH_OUT (and stdout).
import { writeFileSync } from 'node:fs'

export function report({ title, markdown, results }) {
  console.log(`\n${markdown}\n`)
  if (process.env.BENCH_OUT) {
    writeFileSync(process.env.BENCH_OUT, JSON.stringify({ title, markdown, results }, null, 2))
  }
}

/** A Markdown table from a header row and rows of cells. */
export const table = (head, rows) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n')

export const round = (value, digits = 1) =>
  Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value

export const ratio = (a, b) => (b ? round(a / b, 2) : NaN)
