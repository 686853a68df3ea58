import { and, asc, eq, gt, lte } from 'drizzle-orm'
import type { Db } from './client'
import { shardAt, type VisitsDb } from './shards'
import { sites, type Site } from './schema'
import { bookingDrawers, contactHashes, events, sessions } from './schema/visits'
import { DELETE_SLICE, deleteSiteVisits, ingestStatements } from './visits'

// Moving a site's visits to another shard, one step a call, so an operator's script can stop and resume
// anywhere. The phases, as the site row records them:
//   copy    `moveTo` set: the collector writes to both shards; reads stay on `shard`; sessions are
//           copied in id order with the collector's own upserts, so a copy merges with what it wrote;
//           `moveCursor` is the last id copied, so no caller can make a copy skip sessions.
//   delete  `shard` switched to the target, `moveFrom` the old one: its copy is deleted in slices.
// Every step is idempotent: a step repeated (a retry) copies or deletes nothing twice.

/** Sessions a copy step moves; their events, contacts and drawers go with them in the same batch. */
export const COPY_SLICE = 200

/** Statements a delete step runs: 50,000 sessions with their events, far inside an invocation's limits. */
export const DELETE_STEP_SLICES = 50

/** Seconds the script waits after a phase change, so queue batches placed before it have landed. */
export const SETTLE_SECONDS = 30

export type MoveStep = {
  phase: 'copying' | 'deleting' | 'done'
  /** The last session id copied so far (the next copy step starts after it). */
  after: string | null
  copied: number
  /** Sessions deleted from the old shard (with their events, contacts and drawers). */
  deleted: number
  /** Wait this long before the next step. */
  waitSeconds: number
}

export class MoveConflict extends Error {}

const step = (s: Partial<MoveStep> & Pick<MoveStep, 'phase'>): MoveStep => ({
  after: null,
  copied: 0,
  deleted: 0,
  waitSeconds: 0,
  ...s,
})

const setMove = (db: Db, site: Site, patch: Partial<Pick<Site, 'shard' | 'moveTo' | 'moveFrom' | 'moveCursor'>>) =>
  db.update(sites).set(patch).where(eq(sites.id, site.id))

/** One step of moving `site` to shard `to`, from wherever its last step left it. */
export async function moveStep(
  db: Db,
  shards: VisitsDb[],
  site: Site,
  to: number
): Promise<MoveStep> {
  shardAt(shards, to)
  if (site.moveFrom !== null) {
    if (site.shard !== to) throw new MoveConflict(`site is finishing a move to shard ${site.shard}`)
    const deleted = await deleteSiteVisits(shardAt(shards, site.moveFrom), site.visitsKey, DELETE_STEP_SLICES)
    if (deleted === DELETE_STEP_SLICES * DELETE_SLICE) return step({ phase: 'deleting', deleted })
    await setMove(db, site, { moveFrom: null })
    return step({ phase: 'done', deleted })
  }
  if (site.moveTo === null) {
    if (site.shard === to) return step({ phase: 'done' })
    await setMove(db, site, { moveTo: to, moveCursor: null })
    return step({ phase: 'copying', waitSeconds: SETTLE_SECONDS })
  }
  if (site.moveTo !== to) throw new MoveConflict(`site is being moved to shard ${site.moveTo}`)
  const after = site.moveCursor
  const copied = await copySlice(shardAt(shards, site.shard), shardAt(shards, to), site.visitsKey, after)
  if (copied.count === COPY_SLICE) {
    await setMove(db, site, { moveCursor: copied.last })
    return step({ phase: 'copying', after: copied.last, copied: copied.count })
  }
  await setMove(db, site, { shard: to, moveTo: null, moveFrom: site.shard, moveCursor: null })
  return step({ phase: 'deleting', copied: copied.count, waitSeconds: SETTLE_SECONDS })
}

/** Copies the next `COPY_SLICE` sessions after `after` (by id) with everything of theirs, in one batch. */
async function copySlice(from: VisitsDb, to: VisitsDb, site: number, after: string | null) {
  const page = await from
    .select()
    .from(sessions)
    .where(and(eq(sessions.site, site), after === null ? undefined : gt(sessions.id, after)))
    .orderBy(asc(sessions.id))
    .limit(COPY_SLICE)
  const last = page.at(-1)?.id ?? null
  if (!last) return { count: 0, last }
  // The slice's sessions are an id range, so their rows are read by (site, session_id) ranges.
  const ofSlice = (t: typeof events | typeof contactHashes | typeof bookingDrawers) =>
    and(eq(t.site, site), after === null ? undefined : gt(t.sessionId, after), lte(t.sessionId, last))
  const [eventRows, contactRows, drawerRows] = await Promise.all([
    from.select().from(events).where(ofSlice(events)),
    from.select().from(contactHashes).where(ofSlice(contactHashes)),
    from.select().from(bookingDrawers).where(ofSlice(bookingDrawers)),
  ])
  const [first, ...rest] = ingestStatements(to, {
    sessions: page,
    events: eventRows,
    contacts: contactRows,
    drawers: drawerRows,
  })
  await to.batch([first!, ...rest])
  return { count: page.length, last }
}
