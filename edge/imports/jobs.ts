import { z } from 'zod'

/** One message on the imports queue: one kind of import for one integration. */
export const importJobSchema = z.object({
  kind: z.enum(['requests', 'deals']),
  integrationId: z.string().min(1),
  /** When the cron fired (ms); a continuation keeps the original value so runs stay grouped. */
  scheduledAt: z.number().int(),
  /** Set for "Run now" and for continuations; a cron job's run id is derived from the message. */
  runId: z.string().min(1).max(200).optional(),
})
export type ImportJob = z.infer<typeof importJobSchema>

/** Queue sends take at most 100 messages a call. */
const SEND_BATCH = 100

export async function enqueueJobs(queue: Queue, jobs: ImportJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += SEND_BATCH) {
    await queue.sendBatch(jobs.slice(i, i + SEND_BATCH).map((body) => ({ body })))
  }
}
