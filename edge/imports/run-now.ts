import type { Db } from '../db/client'
import { createRun, findOpenRun, markTakenOver } from '../db/imports'
import type { ImportRun, Integration } from '../db/schema'
import { ApiError } from '../errors'
import { enqueueJobs } from './jobs'
import { isStalled, startCursor } from './run'

/**
 * "Run now" (the API's `POST /integrations/:id/run` and the integration page's button): one queued run
 * per kind the integration sends, through the same queue as the daily cron.
 */
export async function startManualRuns(
  db: Db,
  queue: Queue,
  integration: Integration,
  options: { kind?: ImportRun['kind']; since?: Date } = {}
): Promise<ImportRun[]> {
  const enabled: ImportRun['kind'][] = []
  if (integration.sendRequests) enabled.push('requests')
  if (integration.sendDeals) enabled.push('deals')
  const kinds = options.kind ? enabled.filter((kind) => kind === options.kind) : enabled
  if (kinds.length === 0) {
    throw new ApiError('conflict', 'Nothing to import: switch on sendRequests or sendDeals first')
  }

  const now = new Date()
  const runs: ImportRun[] = []
  for (const kind of kinds) {
    // An open run of the same kind already covers "now": pressing the button twice queues nothing more.
    const open = await findOpenRun(db, integration.id, kind)
    if (open) {
      // A stalled run (its worker died, its message was lost) is resumed from its committed offset.
      if (isStalled(open, now)) {
        await markTakenOver(db, open.id, now)
        await enqueueJobs(queue, [
          { kind, integrationId: integration.id, scheduledAt: now.getTime(), runId: open.id },
        ])
      }
      runs.push(open)
      continue
    }
    const created = await createRun(db, {
      id: crypto.randomUUID(),
      accountId: integration.accountId,
      integrationId: integration.id,
      kind,
      trigger: 'manual',
      status: 'queued',
      updatedAtAfter: startCursor(integration, kind, now, options.since),
    })
    await enqueueJobs(queue, [
      { kind, integrationId: integration.id, scheduledAt: now.getTime(), runId: created.id },
    ])
    runs.push(created)
  }
  return runs
}
