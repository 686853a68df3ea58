import type { Db } from '../db/client'
import { listImportableIntegrations } from '../db/queries'
import { enqueueJobs, type ImportJob } from './jobs'

/**
 * The daily cron's whole job: one queue message per integration and switched-on kind. The work itself
 * happens in the queue consumer, so one slow or broken clinic never holds up the others.
 */
export async function enqueueDailyImports(db: Db, queue: Queue, scheduledAt: Date) {
  const integrations = await listImportableIntegrations(db)
  const jobs: ImportJob[] = integrations.flatMap((integration) => {
    const kinds: ImportJob['kind'][] = []
    if (integration.sendRequests) kinds.push('requests')
    if (integration.sendDeals) kinds.push('deals')
    return kinds.map((kind) => ({ kind, integrationId: integration.id, scheduledAt: scheduledAt.getTime() }))
  })
  await enqueueJobs(queue, jobs)
  return jobs.length
}
