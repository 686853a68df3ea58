import { describeForLog } from '../errors'
import { importJobSchema } from './jobs'
import { runImportJob, type ImportDeps } from './run'

/**
 * The queue consumer: each message is validated and run on its own, so one failing integration is retried
 * (and dead-lettered after max_retries) without holding back the rest of the batch.
 */
export async function consumeImportBatch(batch: MessageBatch<unknown>, deps: ImportDeps) {
  for (const message of batch.messages) {
    const parsed = importJobSchema.safeParse(message.body)
    if (!parsed.success) {
      // A malformed message can never succeed: drop it rather than let it cycle to the DLQ.
      console.error(JSON.stringify({ level: 'error', msg: 'malformed import job', id: message.id }))
      message.ack()
      continue
    }
    try {
      await runImportJob(deps, parsed.data, message.attempts)
      message.ack()
    } catch (err) {
      console.error(
        JSON.stringify({ level: 'error', msg: 'import job failed', ...parsed.data, error: describeForLog(err) })
      )
      message.retry()
    }
  }
}
