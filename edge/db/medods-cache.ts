import { and, eq, inArray, sql } from 'drizzle-orm'
import { chunk } from './batching'
import type { Db } from './client'
import { medodsClients, medodsUsers } from './schema'

type CachedPerson = { medodsId: number; name: string; phone?: string | null; email?: string | null }

const IDS_PER_QUERY = 90


export async function cachedPatients(db: Db, integrationId: string, ids: number[]) {
  const rows = []
  for (const part of chunk(ids, IDS_PER_QUERY)) {
    rows.push(
      ...(await db
        .select()
        .from(medodsClients)
        .where(and(eq(medodsClients.integrationId, integrationId), inArray(medodsClients.medodsId, part))))
    )
  }
  return new Map(rows.map((row) => [row.medodsId, row]))
}

export async function cachedUsers(db: Db, integrationId: string, ids: number[]) {
  const rows = []
  for (const part of chunk(ids, IDS_PER_QUERY)) {
    rows.push(
      ...(await db
        .select()
        .from(medodsUsers)
        .where(and(eq(medodsUsers.integrationId, integrationId), inArray(medodsUsers.medodsId, part))))
    )
  }
  return new Map(rows.map((row) => [row.medodsId, row]))
}

/** Upserts, 5 columns a row: at most 19 rows a statement stays under 100 bound parameters. */
export function upsertPatients(db: Db, integrationId: string, people: CachedPerson[]) {
  return chunk(people, 19).map((part) =>
    db
      .insert(medodsClients)
      .values(part.map((p) => ({ integrationId, medodsId: p.medodsId, name: p.name, phone: p.phone ?? null, email: p.email ?? null })))
      .onConflictDoUpdate({
        target: [medodsClients.integrationId, medodsClients.medodsId],
        set: {
          name: sql`excluded.name`,
          phone: sql`excluded.phone`,
          email: sql`excluded.email`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
  )
}

export function upsertUsers(db: Db, integrationId: string, people: CachedPerson[]) {
  return chunk(people, 30).map((part) =>
    db
      .insert(medodsUsers)
      .values(part.map((p) => ({ integrationId, medodsId: p.medodsId, name: p.name })))
      .onConflictDoUpdate({
        target: [medodsUsers.integrationId, medodsUsers.medodsId],
        set: { name: sql`excluded.name`, updatedAt: sql`excluded.updated_at` },
      })
  )
}
