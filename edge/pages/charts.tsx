// Charts drawn on the server as inline SVG: the CSP allows no inline script or style, so every
// colour is an SVG presentation attribute (fill=, stroke=), which the CSP does not cover.

export type ChartSeries = { key: string; label: string }

/** One bar: its day (ISO), the label under it, a title prefix, and a count per series key. */
export type ChartBar = { day: string; label: string; title: string; counts: Record<string, number> }

/**
 * How each series is told apart without colour: a solid fill, a hatch, dots, a pale plain fill; the
 * colours differ in lightness too, so a grey print still separates them.
 */
const FILLS = [
  { background: '#1f4e86', mark: null },
  { background: '#8cb8e6', mark: 'hatch' },
  { background: '#f3c26b', mark: 'dots' },
  { background: '#d5dbe2', mark: null },
] as const

const fillOf = (chart: string, index: number) => {
  const fill = FILLS[index % FILLS.length]!
  return fill.mark ? `url(#${chart}-fill-${index})` : fill.background
}

function Patterns({ chart, series }: { chart: string; series: ChartSeries[] }) {
  return (
    <defs>
      {series.map((_, index) => {
        const fill = FILLS[index % FILLS.length]!
        if (!fill.mark) return null
        return (
          <pattern id={`${chart}-fill-${index}`} patternUnits="userSpaceOnUse" width={6} height={6}>
            <rect width={6} height={6} fill={fill.background} />
            {fill.mark === 'hatch' ? (
              <path d="M-1 1L1 -1M0 6L6 0M5 7L7 5" stroke="#1f3a5f" stroke-width={1.2} />
            ) : (
              <circle cx={3} cy={3} r={1.3} fill="#7a4a00" />
            )}
          </pattern>
        )
      })}
    </defs>
  )
}

const W = 960
const H = 260
const PAD = { left: 44, right: 8, top: 12, bottom: 26 }
const round = (x: number) => Math.round(x * 100) / 100

/** A round top for the y axis: 1, 2 or 5 times a power of ten per step, at most four steps. */
function axisSteps(max: number): number[] {
  if (max <= 0) return [0, 1]
  const raw = max / 4
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = Math.max(1, [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw) ?? power * 10)
  const top = Math.ceil(max / step) * step
  return Array.from({ length: top / step + 1 }, (_, i) => i * step)
}

function Axis({ ticks, scale }: { ticks: number[]; scale: (n: number) => number }) {
  return (
    <g class="axis">
      {ticks.map((tick) => (
        <>
          <line
            x1={PAD.left}
            x2={W - PAD.right}
            y1={scale(tick)}
            y2={scale(tick)}
            stroke="#e4ebf2"
          />
          <text x={PAD.left - 6} y={scale(tick) + 4} text-anchor="end">
            {tick}
          </text>
        </>
      ))}
    </g>
  )
}

/**
 * A stacked bar chart of days, with a legend (each series' total in words) under it. Each segment
 * has a `<title>` and `data-day`/`data-series`/`data-count`, so a reader and a test can read its
 * number; the `ChartTable` of the same bars is the text alternative.
 */
export function StackedBarChart(props: {
  id: string
  title: string
  series: ChartSeries[]
  bars: ChartBar[]
}) {
  const { id, series, bars } = props
  const totals = bars.map((bar) => totalOf(series, bar))
  const ticks = axisSteps(Math.max(0, ...totals))
  const top = ticks[ticks.length - 1]!
  const plotH = H - PAD.top - PAD.bottom
  const scale = (n: number) => round(PAD.top + plotH - (n / top) * plotH)
  const slot = (W - PAD.left - PAD.right) / Math.max(1, bars.length)
  const labelEvery = Math.ceil(bars.length / 12)
  return (
    <figure class="chart" id={id}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title`}>
        <title id={`${id}-title`}>{props.title}</title>
        <Patterns chart={id} series={series} />
        <Axis ticks={ticks} scale={scale} />
        {bars.map((bar, i) => {
          const x = round(PAD.left + i * slot + slot * 0.14)
          let below = 0
          return (
            <g data-day={bar.day}>
              {series.map((s, index) => {
                const n = bar.counts[s.key] ?? 0
                if (n === 0) return null
                const y = scale(below + n)
                const height = round(scale(below) - y)
                below += n
                return (
                  <rect
                    x={x}
                    y={y}
                    width={round(Math.max(1, slot * 0.72))}
                    height={height}
                    fill={fillOf(id, index)}
                    stroke="#fff"
                    stroke-width={0.5}
                    data-day={bar.day}
                    data-series={s.key}
                    data-count={n}
                  >
                    <title>{`${bar.title}: ${s.label} — ${n} из ${totals[i]}`}</title>
                  </rect>
                )
              })}
              {i % labelEvery === 0 && (
                <text
                  class="tick"
                  x={round(PAD.left + (i + 0.5) * slot)}
                  y={H - 8}
                  text-anchor="middle"
                >
                  {bar.label}
                </text>
              )}
            </g>
          )
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {series.map((s, index) => (
            <li data-series={s.key}>
              <svg viewBox="0 0 14 14" width={14} height={14} aria-hidden="true">
                <rect
                  width={14}
                  height={14}
                  fill={fillOf(id, index)}
                  stroke="#829ab1"
                  stroke-width={0.5}
                />
              </svg>
              {s.label}: {bars.reduce((sum, bar) => sum + (bar.counts[s.key] ?? 0), 0)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  )
}

/** A bar's total over the series. */
export const totalOf = (series: ChartSeries[], bar: ChartBar) =>
  series.reduce((sum, s) => sum + (bar.counts[s.key] ?? 0), 0)

/**
 * The chart's numbers as a table: a row per bar, a column per series, totals on the right and
 * below.
 */
export function ChartTable(props: {
  id: string
  first: string
  series: ChartSeries[]
  bars: ChartBar[]
}) {
  const { series, bars } = props
  const column = (key: string) => bars.reduce((sum, bar) => sum + (bar.counts[key] ?? 0), 0)
  return (
    <table id={props.id}>
      <thead>
        <tr>
          <th>{props.first}</th>
          {series.map((s) => (
            <th>{s.label}</th>
          ))}
          <th>Всего</th>
        </tr>
      </thead>
      <tbody>
        {bars.map((bar) => (
          <tr data-day={bar.day}>
            <td class="nowrap">{bar.title}</td>
            {series.map((s) => (
              <td data-series={s.key}>{bar.counts[s.key] ?? 0}</td>
            ))}
            <td data-series="total">{totalOf(series, bar)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr data-day="total">
          <th>Итого</th>
          {series.map((s) => (
            <th data-series={s.key}>{column(s.key)}</th>
          ))}
          <th data-series="total">{bars.reduce((sum, bar) => sum + totalOf(series, bar), 0)}</th>
        </tr>
      </tfoot>
    </table>
  )
}
