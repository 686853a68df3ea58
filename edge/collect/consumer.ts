import { createDb } from '../db/client'
import { placementsOf, shardAt, visitShards, type Placement } from '../db/shards'
import { writeIngestRows } from '../db/visits'
import { describeForLog } from '../errors'
import { createContactHasher, type ContactHasher } from '../crypto/contact-hash'
import { rowsFor } from './rows'
import { ingestMessageSchema, type IngestMessage } from './wire-schema'

type Parsed = { message: Message<unknown>; body: IngestMessage }

/**
 * The ingest queue consumer: the batch's sites are placed with one read of the main database, and each
 * shard gets its share as one atomic `batch()` of chunked statements (a site being moved goes to both of
 * its shards). Every write is idempotent (event ids, contact keys, session upsert), so a failed message
 * is simply retried, and ends in the dead-letter queue after max_retries.
 */
export async function consumeIngestBatch(batch: MessageBatch<unknown>, env: Env) {
  const parsed: Parsed[] = []
  for (const message of batch.messages) {
    const result = ingestMessageSchema.safeParse(message.body)
    if (result.success) parsed.push({ message, body: result.data })
    else {
      // Only the collector enqueues here; a body it would not have sent can never succeed.
      logFailure('malformed ingest message', result.error, message.id)
      message.ack()
    }
  }
  if (parsed.length === 0) return
  const placements = await placementsOf(createDb(env.DB), parsed.map((p) => p.body.siteId))
  const byShard = new Map<number, Parsed[]>()
  for (const p of parsed) {
    const placement = placements.get(p.body.siteId)
    if (!placement) {
      // The site was deleted since the send was queued: nothing can store it.
      logFailure('ingest message for an unknown site', null, p.message.id)
      p.message.ack()
      continue
    }
    for (const shard of shardsOf(placement)) {
      const share = byShard.get(shard)
      if (share) share.push(p)
      else byShard.set(shard, [p])
    }
  }
  const hmac = await createContactHasher(env.CONTACT_HASH_KEY)
  const keyOf = (siteId: string) => placements.get(siteId)!.visitsKey
  const failed = new Set<Message<unknown>>()
  for (const [shard, share] of byShard) {
    for (const p of await writeShare(env, shard, share, hmac, keyOf)) failed.add(p.message)
  }
  for (const p of parsed) {
    if (failed.has(p.message)) p.message.retry({ delaySeconds: 10 })
    else if (placements.has(p.body.siteId)) p.message.ack()
  }
}

const shardsOf = (p: Placement) => (p.moveTo === null || p.moveTo === p.shard ? [p.shard] : [p.shard, p.moveTo])

/** One shard's share in one batch; if that fails, message by message. Answers the messages that failed. */
async function writeShare(
  env: Env,
  shard: number,
  share: Parsed[],
  hmac: ContactHasher,
  keyOf: (siteId: string) => number
): Promise<Parsed[]> {
  try {
    const db = shardAt(visitShards(env), shard)
    try {
      await writeIngestRows(db, await rowsFor(share.map((p) => p.body), hmac, keyOf))
      return []
    } catch (err) {
      logFailure('ingest batch failed; writing message by message', err)
    }
    // One bad message must not hold back the others.
    const failed: Parsed[] = []
    for (const p of share) {
      try {
        await writeIngestRows(db, await rowsFor([p.body], hmac, keyOf))
      } catch (single) {
        logFailure('ingest message failed', single, p.message.id)
        failed.push(p)
      }
    }
    return failed
  } catch (unbound) {
    logFailure('ingest shard unavailable', unbound)
    return share
  }
}

const logFailure = (msg: string, err: unknown, id?: string) =>
  console.error(JSON.stringify({ level: 'error', msg, id, error: err ? describeForLog(err) : undefined }))
