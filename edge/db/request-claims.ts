import { and, eq, inArray } from 'drizzle-orm'
import { chunk, idsPerStatement } from './batching'
import type { Db } from './client'
import { requests } from './schema'

/** A session a stored request is attributed to, and that request's appointment. */
export type SessionClaim = { sessionId: string; medodsAppointmentId: number }

/**
 * Stored requests of the integration that name one of `sessionIds` (any rung), for the one-session,
 * one-booking rule of the booking-window rung. Served by `requests_session_idx`.
 */
export async function findSessionClaims(
  db: Db,
  integrationId: string,
  sessionIds: string[]
): Promise<SessionClaim[]> {
  const claims: SessionClaim[] = []
  for (const ids of chunk(sessionIds, idsPerStatement(1))) {
    const rows = await db
      .select({ sessionId: requests.sessionId, medodsAppointmentId: requests.medodsAppointmentId })
      .from(requests)
      .where(and(eq(requests.integrationId, integrationId), inArray(requests.sessionId, ids)))
    for (const row of rows) if (row.sessionId) claims.push({ ...row, sessionId: row.sessionId })
  }
  return claims
}
