// Bulk seeding of widget sessions straight into the visits shards for the import bench: rows are generated
// by SQLite itself (a recursive CTE), so half a million sessions take seconds rather than the minutes that
// the collector's 5-rows-a-statement upserts would. Contact hashes arrive as one JSON parameter per chunk.
// Rows are in the shards' encoding (migrations-visits/): the site as its integer visits key, the current
// touch's landing URL and the first touch NULL while they are the session's own.
import { createHash, createHmac } from 'node:crypto'

const CHUNK = 50_000
/**
 * Sessions go to the sites in blocks of this many consecutive ones, in turn: every pattern of the seeding
 * (every 2nd a UTM touch, every 10th a drawer, every 20th a phone) then falls on every site, and each
 * site's sessions still cover the whole month.
 */
const BLOCK = 20
const sessionId = (expr) => `printf('%08x-0000-4000-8000-%012x', ${expr}, ${expr})`
export const seededSessionId = (i) =>
  `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`

/** Which of `parts` sites session `i` was seeded on. */
export const seededSiteOf = (i, parts) => Math.floor(i / BLOCK) % parts

/** The stored form of a phone the widget captured (edge/crypto/contact-hash.ts). */
export const storedPhoneHash = (key, phone) =>
  createHmac('sha256', key).update(`p:${createHash('sha256').update(phone).digest('hex')}`).digest('hex')

const range = (from, to) =>
  `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to - 1})`

/**
 * `count` sessions spread over `sites` (each `{ db, key }`: its shard's D1 and its visits key), started
 * evenly from `fromMs` to `toMs`: every one with a pageview, every `opensEvery`-th one also opening the
 * booking drawer 2 minutes in (open 3 minutes, focused); even ones arrive by a UTM link.
 */
export async function seedSessions(sites, { count, fromMs, toMs, opensEvery = 10 }) {
  const step = (toMs - fromMs) / count
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK)
    for (const [part, site] of sites.entries()) {
      const mine = `(i / ${BLOCK}) % ${sites.length} = ${part}`
      await seedChunk(site, { from, to, at: `CAST(${fromMs} + i * ${step} AS INTEGER)`, mine, opensEvery })
    }
  }
  return { count, step }
}

/** Sessions `from`…`to - 1` that are `mine` (a condition on i) into one site's shard. */
async function seedChunk({ db, key }, { from, to, at, mine, opensEvery }) {
  const utm = 'i % 2 = 0'
  const statements = [
    `${range(from, to)} INSERT INTO sessions (site, id, visitor_id, started_at, last_seen_at, landing_url, first_touch,
      touch_type, source, medium, campaign, content, term, utm_id, click_ids, touch_landing_url,
      touch_referrer, touch_at)
     SELECT ?1, ${sessionId('i')}, ${sessionId('i + 268435456')}, ${at}, ${at} + 300000,
      'https://clinic.ru/', NULL, CASE WHEN ${utm} THEN 'utm' ELSE 'direct' END,
      CASE WHEN ${utm} THEN 'yandex' ELSE '(direct)' END, 'cpc', 'implants', '', '', '', '{}', NULL, '', ${at}
     FROM n WHERE ${mine}`,
    `${range(from, to)} INSERT INTO events (site, id, session_id, type, at, received_at, url, name)
     SELECT ?1, 'pv-' || i, ${sessionId('i')}, 'pageview', ${at}, ${at}, 'https://clinic.ru/', NULL
     FROM n WHERE ${mine}`,
    `${range(from, to)} INSERT INTO events (site, id, session_id, type, at, received_at, url, name)
     SELECT ?1, 'bo-' || i, ${sessionId('i')}, 'booking_open', ${at} + 120000, ${at} + 120000,
      'https://clinic.ru/', 'iframe'
     FROM n WHERE ${mine} AND i % ${opensEvery} = 0`,
    // The drawer those openings make: focused 10 s in, closed after 3 minutes.
    `${range(from, to)} INSERT INTO booking_drawers (site, id, session_id, kind, opened_at, focused_at, closed_at, visible_ms, closed_by)
     SELECT ?1, 'bo-' || i, ${sessionId('i')}, 'iframe', ${at} + 120000, ${at} + 130000,
      ${at} + 300000, 180000, 'hide'
     FROM n WHERE ${mine} AND i % ${opensEvery} = 0`,
  ]
  for (const sql of statements) await db.prepare(sql).bind(key).run()
}

/** Contact captures: `[sessionIndex, storedHash, atMs]` rows, as a form submit stores them, each on its session's site. */
export async function seedContacts(sites, rows) {
  for (const [part, site] of sites.entries()) {
    await seedSiteContacts(site, rows.filter(([i]) => seededSiteOf(i, sites.length) === part))
  }
}

async function seedSiteContacts({ db, key }, rows) {
  for (let from = 0; from < rows.length; from += 5_000) {
    const part = rows.slice(from, from + 5_000).map(([i, hash, at]) => [seededSessionId(i), hash, at])
    await db
      .prepare(
        `INSERT OR IGNORE INTO contact_hashes (site, hash, session_id, kind, at)
         SELECT ?1, json_extract(value, '$[1]'), json_extract(value, '$[0]'), 'phone', json_extract(value, '$[2]')
         FROM json_each(?2)`
      )
      .bind(key, JSON.stringify(part))
      .run()
  }
}
