import { sql } from 'drizzle-orm'
import { chunk, rowsPerStatement } from './batching'
import type { Db } from './client'
import { requests } from './schema'

export type NewRequest = typeof requests.$inferInsert

const excluded = (column: string) => sql.raw(`excluded.${column}`)

/**
 * Upserts keyed by (integration, Medods appointment): a re-run updates the request, never duplicates it.
 * A creation time read from Medods replaces a "first seen" one; a "first seen" one never moves.
 */
export function upsertRequests(db: Db, rows: NewRequest[]) {
  return chunk(rows, rowsPerStatement(requests, rows)).map((part) =>
    db
      .insert(requests)
      .values(part)
      .onConflictDoUpdate({
        target: [requests.integrationId, requests.medodsAppointmentId],
        set: {
          createdAt: sql`CASE WHEN excluded.created_at_known THEN excluded.created_at ELSE ${requests.createdAt} END`,
          createdAtKnown: sql`max(${requests.createdAtKnown}, excluded.created_at_known)`,
          ...Object.fromEntries(
            (
              [
                ['medodsClientId', 'medods_client_id'],
                ['name', 'name'],
                ['phone', 'phone'],
                ['email', 'email'],
                ['doctor', 'doctor'],
                ['status', 'status'],
                ['matchMethod', 'match_method'],
                ['candidates', 'candidates'],
                ['defaultReason', 'default_reason'],
                ['sessionId', 'session_id'],
                ['campaignId', 'campaign_id'],
                ['sourceId', 'source_id'],
                ['siteId', 'site_id'],
                ['attribution', 'attribution'],
              ] as const
            ).map(([key, column]) => [key, excluded(column)])
          ),
          updatedAt: sql`(unixepoch('subsec') * 1000)`,
        },
      })
  )
}
