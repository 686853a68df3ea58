import { and, eq, inArray, sql } from 'drizzle-orm'
import { chunk, readInParts, rowsPerStatement } from './batching'
import type { Db } from './client'
import { medodsClients, medodsUsers } from './schema'

/** A patient as the cache keeps one: the name, and contacts normalised when written. */
export type PatientContact = { name: string; phone: string | null; email: string | null }

type CachedPerson = { medodsId: number; name: string } & Partial<PatientContact>

/** The cached people of the integration among `ids`, by Medods id. */
async function cached<Table extends typeof medodsClients | typeof medodsUsers>(
  db: Db,
  table: Table,
  integrationId: string,
  ids: number[]
) {
  const rows = await readInParts(ids, 1, (part) =>
    db
      .select()
      .from(table as typeof medodsClients)
      .where(and(eq(table.integrationId, integrationId), inArray(table.medodsId, part)))
  )
  return new Map(rows.map((row) => [row.medodsId, row as Table['$inferSelect']]))
}

export const cachedPatients = (db: Db, integrationId: string, ids: number[]) =>
  cached(db, medodsClients, integrationId, ids)

export const cachedUsers = (db: Db, integrationId: string, ids: number[]) =>
  cached(db, medodsUsers, integrationId, ids)

export function upsertPatients(db: Db, integrationId: string, people: CachedPerson[]) {
  const rows = people.map((p) => ({
    integrationId,
    medodsId: p.medodsId,
    name: p.name,
    phone: p.phone ?? null,
    email: p.email ?? null,
  }))
  return chunk(rows, rowsPerStatement(medodsClients, rows)).map((part) =>
    db
      .insert(medodsClients)
      .values(part)
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
  const rows = people.map((p) => ({ integrationId, medodsId: p.medodsId, name: p.name }))
  return chunk(rows, rowsPerStatement(medodsUsers, rows)).map((part) =>
    db
      .insert(medodsUsers)
      .values(part)
      .onConflictDoUpdate({
        target: [medodsUsers.integrationId, medodsUsers.medodsId],
        set: { name: sql`excluded.name`, updatedAt: sql`excluded.updated_at` },
      })
  )
}
