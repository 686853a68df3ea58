// Storage: bytes one visit costs in a visits shard. Visits go through POST /c and the ingest queue of the
// real Worker; their rows are then read from the site's shard and copied into a SQLite (sql.js) carrying
// the shards' migrations (migrations-visits/), whose page count after VACUUM is what the database file
// holds. D1 itself answers neither dbstat nor PRAGMA page_count.
import initSqlJs from 'sql.js'
import path from 'node:path'
import { readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { loadSandboxModule, setUpClinic } from './lib/clinic.mjs'
import { report, round, table } from './lib/report.mjs'
import { startWorker } from './lib/worker.mjs'

const VISITS = 1000
const GB = 1e9
/** D1's limit per database (Workers Paid), and the visits a clinic of the issue's size makes. */
const DATABASE_BYTES = 10 * GB
const VISITS_PER_DAY = 600
const RETENTION_DAYS = 180
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36'
const headers = { 'user-agent': BROWSER_UA, 'content-type': 'text/plain;charset=UTF-8' }
const VISIT_TABLES = ['sessions', 'events', 'booking_drawers', 'contact_hashes']
/**
 * Bytes per visit before the shards (issue 18's baseline): the same bench with the visit tables in the
 * main database, measured 2026-12-03 with migrations 0000–0004. Kept as constants because that schema is
 * gone from the tree; the reduction is against these.
 */
const BASELINE = { ad: 2605, direct: 799 }

const { DEMO_KEY } = await loadSandboxModule()
const worker = await startWorker()
const clinic = await setUpClinic(worker, { demoKey: DEMO_KEY })
// The site's visits are on the shard it was given when it was created (the least-filled one).
const { shard } = await worker.db.prepare('SELECT shard FROM sites WHERE id = ?').bind(clinic.siteId).first()
const visitsDb = worker.visits[shard]

const LANDING =
  'https://clinic.ru/implants/?utm_source=yandex&utm_medium=cpc&utm_campaign=implants_msk&utm_content=banner_1&utm_term=implanty&yclid=8712934871239487123'
const adTouch = (at) => ({
  t: 'utm', s: 'yandex', m: 'cpc', c: 'implants_msk', o: 'banner_1', e: 'implanty', i: '',
  k: { yclid: '8712934871239487123' }, l: LANDING, r: 'https://yandex.ru/', a: at,
})
const directTouch = (at) => ({ t: 'direct', s: '', m: '', c: '', o: '', e: '', i: '', k: {}, l: 'https://clinic.ru/', r: '', a: at })
const PAGES = ['https://clinic.ru/implants/price/', 'https://clinic.ru/doctors/', 'https://clinic.ru/contacts/']

/** The sends of one visit, as the widget makes them: the landing pageview, then one per page. */
function visitSends(kind) {
  const visitor = crypto.randomUUID()
  const session = crypto.randomUUID()
  const start = Date.now() - 60_000
  const touch = kind === 'ad' ? adTouch(start) : directTouch(start)
  const urls = kind === 'ad' ? [LANDING, ...PAGES] : ['https://clinic.ru/']
  return urls.map((u, i) => {
    const at = start + i * 10_000
    return JSON.stringify({
      k: clinic.siteKey, v: visitor, s: session, b: start, u, f: touch, c: touch,
      e: [{ i: crypto.randomUUID(), t: 'pageview', a: at, u }],
    })
  })
}

async function sendVisits(kind, count) {
  const sends = Array.from({ length: count }, () => visitSends(kind)).flat()
  for (let i = 0; i < sends.length; i += 32) {
    const batch = sends.slice(i, i + 32)
    const answers = await Promise.all(batch.map((body) => fetch(`${worker.url}/c`, { method: 'POST', headers, body })))
    for (const res of answers) if (res.status !== 204) throw new Error(`POST /c answered ${res.status}`)
  }
  return sends.length
}

async function drained(expected, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const [{ n }] = (await visitsDb.prepare('SELECT count(*) AS n FROM events').all()).results
    if (n >= expected || Date.now() > deadline) return n
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const rowsOf = async (tableName) => (await visitsDb.prepare(`SELECT * FROM ${tableName}`).all()).results

const SQL = await initSqlJs()
const migrations = await readD1Migrations(path.join(import.meta.dirname, '..', 'migrations-visits'))

/** A SQLite with the shards' migrations and these rows; `drop` removes indexes first (to price them). */
function fileBytes(rows, drop = []) {
  const db = new SQL.Database()
  for (const migration of migrations) for (const query of migration.queries) db.run(query)
  for (const index of drop) db.run(`DROP INDEX ${index}`)
  for (const [tableName, list] of Object.entries(rows)) {
    if (list.length === 0) continue
    const columns = Object.keys(list[0])
    const insert = db.prepare(`INSERT INTO ${tableName} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
    for (const row of list) insert.run(columns.map((c) => row[c]))
    insert.free()
  }
  db.run('VACUUM')
  const [[pageSize]] = db.exec('PRAGMA page_size')[0].values
  const [[pages]] = db.exec('PRAGMA page_count')[0].values
  db.close()
  return pageSize * pages
}

/** The indexes of the visit tables as the shards' migrations leave them (automatic primary-key ones aside). */
function visitIndexes() {
  const db = new SQL.Database()
  for (const migration of migrations) for (const query of migration.queries) db.run(query)
  const list = `'${VISIT_TABLES.join("','")}'`
  const [found] = db.exec(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${list})`)
  db.close()
  return (found?.values ?? []).map(([name]) => name)
}

/** Bytes per visit of `kind`: the database with their rows minus the same database empty. */
async function measure(kind) {
  for (const tableName of VISIT_TABLES) await visitsDb.prepare(`DELETE FROM ${tableName}`).run()
  const sends = await sendVisits(kind, VISITS)
  await drained(sends)
  const rows = Object.fromEntries(await Promise.all(VISIT_TABLES.map(async (t) => [t, await rowsOf(t)])))
  const empty = fileBytes({})
  const perVisit = (bytes) => round((bytes - empty) / VISITS, 0)
  const indexes = visitIndexes()
  const bytesPerVisit = perVisit(fileBytes(rows))
  return {
    kind,
    visits: VISITS,
    shard,
    rows: Object.fromEntries(VISIT_TABLES.map((t) => [t, rows[t].length])),
    bytesPerVisit,
    baselineBytesPerVisit: BASELINE[kind],
    reductionPercent: round(100 * (1 - bytesPerVisit / BASELINE[kind]), 1),
    sessionsOnly: perVisit(fileBytes({ sessions: rows.sessions })),
    eventsOnly: perVisit(fileBytes({ events: rows.events })),
    indexes: Object.fromEntries(
      indexes.map((name) => [name, round(bytesPerVisit - perVisit(fileBytes(rows, [name])), 0)])
    ),
  }
}

const ad = await measure('ad')
const direct = await measure('direct')
await worker.mf.dispose()

const perGb = (bytes) => Math.floor(GB / bytes)
const clinicsPerDatabase = (bytes) => round(DATABASE_BYTES / (bytes * VISITS_PER_DAY * RETENTION_DAYS), 1)
const results = {
  ad,
  direct,
  sessionsPerGb: { ad: perGb(ad.bytesPerVisit), direct: perGb(direct.bytesPerVisit) },
  clinicsPer10GbAt180Days: { ad: clinicsPerDatabase(ad.bytesPerVisit), direct: clinicsPerDatabase(direct.bytesPerVisit) },
}

const line = (r) => [
  r.kind === 'ad' ? 'an ad landing, 4 pages' : 'a direct visit, 1 page',
  `**${r.bytesPerVisit}**`,
  r.baselineBytesPerVisit,
  `**−${r.reductionPercent}%**`,
  r.sessionsOnly,
  r.eventsOnly,
  Object.entries(r.indexes).map(([name, bytes]) => `${name} ${bytes}`).join(', '),
  perGb(r.bytesPerVisit).toLocaleString('en-US'),
  clinicsPerDatabase(r.bytesPerVisit),
]
report({
  title: 'Storage: bytes per visit in a visits shard',
  results,
  markdown: [
    `${VISITS} visits of each kind sent through POST /c and the ingest queue of the real Worker; their rows ` +
      `(sessions, events, booking drawers, contact hashes) read from the site's visits shard (VISITS_${shard}) ` +
      'and copied into SQLite (sql.js) with the shards\' migrations (migrations-visits/), VACUUMed, and the ' +
      'file measured (page count × page size) against the same database empty. "Sessions only" and "events ' +
      'only" measure each table alone with its indexes; an index\'s cost is the file with it minus the file ' +
      `without it. Clinics per shard: ${VISITS_PER_DAY} visits a day kept ${RETENTION_DAYS} days in a 10 GB ` +
      'D1 database, all visits of the kind in the row. "Before" is the same bench with the visit tables in ' +
      'the main database (site UUIDs in every row and key, the landing URL repeated in the current and the ' +
      'first touch), measured 2026-12-03 with migrations 0000–0004; issue 18 asks for at least 40% less.',
    table(
      ['visit', 'bytes per visit', 'before (main DB)', 'reduction', 'sessions only', 'events only', 'indexes (bytes per visit)', 'visits per GB', 'clinics per 10 GB shard'],
      [line(ad), line(direct)]
    ),
  ].join('\n\n'),
})
