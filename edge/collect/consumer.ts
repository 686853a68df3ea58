import { createDb } from '../db/client'
import { writeIngestRows } from '../db/sessions'
import { describeForLog } from '../errors'
import { createContactHasher } from '../crypto/contact-hash'
import { rowsFor } from './rows'
import { ingestMessageSchema, type IngestMessage } from './wire-schema'

/**
 * The ingest queue consumer: the whole batch goes to D1 as one atomic `batch()` of chunked
 * statements. Every write is idempotent (event ids, contact keys, session upsert), so a failed
 * message is simply retried and ends in the dead-letter queue after max_retries.
 */
export async function consumeIngestBatch(batch: MessageBatch<unknown>, env: Env) {
  const valid: Message<unknown>[] = []
  const messages: IngestMessage[] = []
  for (const message of batch.messages) {
    const parsed = ingestMessageSchema.safeParse(message.body)
    if (!parsed.success) {
      // Only the collector enqueues here; a body it would not have sent can never succeed.
      logFailure('malformed ingest message', parsed.error, message.id)
      message.ack()
      continue
    }
    valid.push(message)
    messages.push(parsed.data)
  }
  if (messages.length === 0) return
  const hmac = await createContactHasher(env.CONTACT_HASH_KEY)
  const db = createDb(env.DB)
  try {
    await writeIngestRows(db, await rowsFor(messages, hmac))
    for (const message of valid) message.ack()
  } catch (err) {
    logFailure('ingest batch failed; writing message by message', err)
    // One bad message (say, for a site deleted since it was queued) must not hold back the others.
    for (const [i, message] of valid.entries()) {
      try {
        await writeIngestRows(db, await rowsFor([messages[i]!], hmac))
        message.ack()
      } catch (single) {
        logFailure('ingest message failed', single, message.id)
        message.retry({ delaySeconds: 10 })
      }
    }
  }
}

const logFailure = (msg: string, err: unknown, id?: string) =>
  console.error(JSON.stringify({ level: 'error', msg, id, error: describeForLog(err) }))
