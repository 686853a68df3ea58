// Widget: bytes of the built dist/widget.js, and its main-thread time during page load in headless
// Chromium, against the same page without it (interleaved loads, so noise hits both alike).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { median, percentile } from './lib/load.mjs'
import { report, round, table } from './lib/report.mjs'

const LOADS = 25
const SETTLE_MS = 400
const SITE = 'https://www.clinic.ru'
const WORKER = 'https://t.bridge.test'
const ROOT = path.resolve(import.meta.dirname, '..')

const code = readFileSync(path.join(ROOT, 'dist/widget.js'), 'utf8')
const sizes = {
  raw: Buffer.byteLength(code),
  gzip: gzipSync(code, { level: 9 }).length,
  brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
}

// A plain clinic page: some text, a booking button and a contact form, as the widget meets them.
const page = (head) => `<!doctype html><html><head><meta charset="utf-8"><title>Клиника</title>${head}</head>
<body><h1>Клиника на Ленина</h1>${'<p>Приём терапевта, УЗИ, анализы. Запишитесь онлайн.</p>'.repeat(20)}
<button class="medods-record-btn">Записаться онлайн</button>
<form id="callback" method="post" action="/thanks"><input name="name"><input type="tel" name="phone">
<input type="email" name="email"><button>Перезвоните мне</button></form></body></html>`
const WITH = page(`<script async src="${WORKER}/w.js" data-site="bench-key" data-allow-bots></script>`)
const WITHOUT = page('')

/** attribution.md §1: minified and `gzip -9` bytes of the anchors' shipped trackers. */
const ANCHORS = [
  ['sourcebuster.js 1.1.1', 14_457, 4_600],
  ['sourcebuster 1.1.2 (woocommerce fork)', 15_411, 4_883],
  ['Umami 3.1.0 tracker (with web vitals)', 4_566, 2_223],
  ['Counterscale 3.4.1 tracker (≈)', 4_224, 1_929],
  ['Umami before mid-2025', 2_480, 1_399],
  ['Plausible classic plausible.js', 1_342, 756],
]

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})

/** One first visit in a fresh context: main-thread script and task time from CDP, long tasks, sends. */
async function load(html) {
  const context = await browser.newContext()
  let sends = 0
  await context.route(`${SITE}/**`, (r) => r.fulfill({ contentType: 'text/html', body: html }))
  await context.route(`${WORKER}/w.js`, (r) => r.fulfill({ contentType: 'application/javascript', body: code }))
  await context.route(`${WORKER}/c`, (r) => {
    sends++
    return r.fulfill({ status: 204, headers: { 'access-control-allow-origin': '*' } })
  })
  const tab = await context.newPage()
  await tab.addInitScript(() => {
    window.__longTasks = 0
    new PerformanceObserver((list) => (window.__longTasks += list.getEntries().length)).observe({
      type: 'longtask',
      buffered: true,
    })
  })
  const cdp = await context.newCDPSession(tab)
  await cdp.send('Performance.enable')
  await tab.goto(`${SITE}/?utm_source=yandex&utm_medium=cpc&utm_campaign=implants`, { waitUntil: 'load' })
  await tab.waitForTimeout(SETTLE_MS)
  const { metrics } = await cdp.send('Performance.getMetrics')
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? 0
  const longTasks = await tab.evaluate(() => window.__longTasks)
  await context.close()
  return { scriptMs: metric('ScriptDuration') * 1000, taskMs: metric('TaskDuration') * 1000, longTasks, sends }
}

await load(WITH) // warm-up: the browser process, not measured
const runs = { with: [], without: [] }
for (let i = 0; i < LOADS; i++) {
  for (const name of i % 2 ? ['without', 'with'] : ['with', 'without']) {
    runs[name].push(await load(name === 'with' ? WITH : WITHOUT))
  }
}
await browser.close()

const summary = (list) => ({
  scriptMedian: median(list.map((r) => r.scriptMs)),
  scriptP90: percentile(list.map((r) => r.scriptMs).sort((a, b) => a - b), 90),
  taskMedian: median(list.map((r) => r.taskMs)),
  longTasks: list.reduce((n, r) => n + r.longTasks, 0),
  sendsPerLoad: list.reduce((n, r) => n + r.sends, 0) / list.length,
})
const withWidget = summary(runs.with)
const without = summary(runs.without)
const results = {
  sizes,
  loads: LOADS,
  withWidget,
  without,
  widgetScriptMs: withWidget.scriptMedian - without.scriptMedian,
  widgetTaskMs: withWidget.taskMedian - without.taskMedian,
  runs,
}

const ms = (v) => round(v, 2)
report({
  title: 'Widget: size and main-thread cost',
  results,
  markdown: [
    table(['dist/widget.js', 'raw', 'gzip -9', 'brotli 11'], [['bytes', sizes.raw, sizes.gzip, sizes.brotli]]),
    'Against the anchors of attribution.md §1 (their published sizes; ours from this build):',
    table(
      ['tracker', 'min bytes', 'gzip bytes', 'ours ÷ theirs (gzip)'],
      [
        ['**this widget (dist/widget.js)**', sizes.raw, sizes.gzip, '1'],
        ...ANCHORS.map(([name, min, gz]) => [name, min, gz, round(sizes.gzip / gz, 2)]),
      ]
    ),
    `Headless Chromium (/usr/bin/chromium via playwright-core), ${LOADS} first visits of each page in fresh ` +
      `contexts, interleaved (with, without, without, with, …). CDP \`Performance.getMetrics\` after the load ` +
      `event plus ${SETTLE_MS} ms, so the widget's pageview send is included; long tasks from a buffered ` +
      '`PerformanceObserver`. The widget and the collector are served by Playwright routes (no network).',
    table(
      ['page', 'ScriptDuration median ms', 'ScriptDuration p90 ms', 'TaskDuration median ms', 'long tasks (all loads)', 'POST /c per load'],
      [
        ['with the widget', ms(withWidget.scriptMedian), ms(withWidget.scriptP90), ms(withWidget.taskMedian), withWidget.longTasks, withWidget.sendsPerLoad],
        ['without', ms(without.scriptMedian), ms(without.scriptP90), ms(without.taskMedian), without.longTasks, without.sendsPerLoad],
        ['**widget’s share (difference of medians)**', `**${ms(results.widgetScriptMs)}**`, '', `**${ms(results.widgetTaskMs)}**`, '', ''],
      ]
    ),
  ].join('\n\n'),
})
