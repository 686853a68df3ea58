import { drizzle } from 'drizzle-orm/d1'
import { count, inArray, sql } from 'drizzle-orm'
import { chunk } from './batching'
import type { Db } from './client'
import { sites } from './schema'
import * as visitsSchema from './schema/visits'

// The visits shards: D1 databases bound as VISITS_0 … VISITS_{N-1}, each with the schema of
// ./schema/visits. A site's visits live in exactly one (its `shard`), under its `visitsKey`.

export const createVisitsDb = (d1: D1Database) => drizzle(d1, { schema: visitsSchema })
export type VisitsDb = ReturnType<typeof createVisitsDb>

/** Where a site's visits are: read from `shard`, written there and, during a move's copy, to `moveTo`. */
export type Placement = { siteId: string; shard: number; visitsKey: number; moveTo: number | null }

/** Above this a shard takes no new sites, whatever CLOSED_VISIT_SHARDS says: D1 stops writes at 10 GB. */
export const SHARD_FULL_BYTES = 8 * 1024 ** 3

const shardsOfEnv = new WeakMap<object, VisitsDb[]>()

/** The shards bound to the Worker, by number: VISITS_0, VISITS_1, … up to the first number not bound. */
export function visitShards(env: Env): VisitsDb[] {
  const known = shardsOfEnv.get(env)
  if (known) return known
  const bindings = env as unknown as Record<string, D1Database | undefined>
  const shards: VisitsDb[] = []
  for (let d1 = bindings.VISITS_0; d1; d1 = bindings[`VISITS_${shards.length}`]) {
    shards.push(createVisitsDb(d1))
  }
  shardsOfEnv.set(env, shards)
  return shards
}

/** Shard `n`; a site placed on a shard no longer bound is a deployment error, never silently elsewhere. */
export function shardAt(shards: VisitsDb[], n: number): VisitsDb {
  const shard = shards[n]
  if (!shard) throw new Error(`visits shard ${n} is not bound (VISITS_${n} missing from wrangler.toml)`)
  return shard
}

/** The placements of the given sites (unknown ids are left out), in statements under the parameter limit. */
export async function placementsOf(db: Db, siteIds: string[]): Promise<Map<string, Placement>> {
  const found = new Map<string, Placement>()
  for (const part of chunk([...new Set(siteIds)], 90)) {
    const rows = await db
      .select({ siteId: sites.id, shard: sites.shard, visitsKey: sites.visitsKey, moveTo: sites.moveTo })
      .from(sites)
      .where(inArray(sites.id, part))
    for (const row of rows) found.set(row.siteId, row)
  }
  return found
}

/** The numbers in CLOSED_VISIT_SHARDS ("0,2"); anything else in it is ignored. */
export const closedShards = (value: string | undefined) =>
  new Set((value ?? '').split(',').map((n) => n.trim()).filter((n) => /^\d+$/.test(n)).map(Number))

export type ShardReport = { shard: number; sizeBytes: number; sites: number; open: boolean }

/** Each bound shard's size (D1's own figure for the database file), its sites, and whether it is open. */
export async function reportShards(db: Db, shards: VisitsDb[], closed: Set<number>): Promise<ShardReport[]> {
  const counts = await db.select({ shard: sites.shard, sites: count() }).from(sites).groupBy(sites.shard)
  const sitesOn = new Map(counts.map((row) => [row.shard, row.sites]))
  return Promise.all(
    shards.map(async (shard, n) => {
      const { meta } = await shard.run(sql`SELECT 1`)
      const sizeBytes = Number(meta.size_after ?? 0)
      return { shard: n, sizeBytes, sites: sitesOn.get(n) ?? 0, open: !closed.has(n) && sizeBytes < SHARD_FULL_BYTES }
    })
  )
}

/**
 * The shard a new site goes to: the least-filled open one (bytes, then sites, then number). With every
 * shard closed it still answers the least-filled one and logs an error, since refusing the site would
 * stop a clinic's installation over an operator's task.
 */
export async function shardForNewSite(db: Db, shards: VisitsDb[], closed: Set<number>): Promise<number> {
  const reports = await reportShards(db, shards, closed)
  const open = reports.filter((r) => r.open)
  if (open.length === 0) {
    console.error(JSON.stringify({ level: 'error', msg: 'every visits shard is closed; add one (README)' }))
  }
  const [least] = (open.length ? open : reports).sort(
    (a, b) => a.sizeBytes - b.sizeBytes || a.sites - b.sites || a.shard - b.shard
  )
  if (!least) throw new Error('no visits shard is bound (VISITS_0 missing from wrangler.toml)')
  return least.shard
}

/** Sites grouped by the shard their visits are read from, for the importer's and the pages' lookups. */
export type ShardSites = { db: VisitsDb; keys: number[]; siteOf: Map<number, string> }

export function readScope(shards: VisitsDb[], placements: Iterable<Placement>): ShardSites[] {
  const byShard = new Map<number, ShardSites>()
  for (const p of placements) {
    let group = byShard.get(p.shard)
    if (!group) byShard.set(p.shard, (group = { db: shardAt(shards, p.shard), keys: [], siteOf: new Map() }))
    group.keys.push(p.visitsKey)
    group.siteOf.set(p.visitsKey, p.siteId)
  }
  return [...byShard.values()]
}
