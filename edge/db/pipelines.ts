import { and, asc, eq, inArray } from 'drizzle-orm'
import { chunk, readInParts, rowsPerStatement } from './batching'
import type { Db } from './client'
import { byCreation, keysetPage, within, type CreatedRange, type Keyset } from './keyset'
import {
  pipelines,
  pipelineStages,
  type Integration,
  type Pipeline,
  type PipelineStage,
} from './schema'

// Types

type StageSpec = Pick<PipelineStage, 'medodsStatus' | 'title' | 'kind' | 'order'>

export type PipelineWithStages = Pipeline & { stages: Map<string, PipelineStage> }

// Queries

/**
 * The integration's pipeline with every stage in `specs`, created on first sight. Inserts ignore
 * conflicts, so two imports racing to create the same stage end with one.
 */
export async function ensurePipeline(
  db: Db,
  integration: Pick<Integration, 'id' | 'accountId'>,
  pipeline: { key: string; name: string },
  specs: StageSpec[]
): Promise<PipelineWithStages> {
  let found = await findPipeline(db, integration.id, pipeline.key)
  if (!found) {
    await db
      .insert(pipelines)
      .values({
        id: crypto.randomUUID(),
        accountId: integration.accountId,
        integrationId: integration.id,
        ...pipeline,
      })
      .onConflictDoNothing()
    found = (await findPipeline(db, integration.id, pipeline.key))!
  }
  return { ...found, stages: await ensureStages(db, found.id, specs) }
}

/** Adds the stages of `specs` the pipeline lacks; answers all its stages by Medods status. */
export async function ensureStages(db: Db, pipelineId: string, specs: StageSpec[]) {
  const stages = await stagesByStatus(db, pipelineId)
  const missing = specs.filter((spec) => !stages.has(spec.medodsStatus))
  if (missing.length === 0) return stages
  const rows = missing.map((spec) => ({ id: crypto.randomUUID(), pipelineId, ...spec }))
  const inserts = chunk(rows, rowsPerStatement(pipelineStages, rows)).map((part) =>
    db
      .insert(pipelineStages)
      .values(part)
      .onConflictDoNothing()
  )
  const [first, ...rest] = inserts
  await db.batch([first!, ...rest])
  return stagesByStatus(db, pipelineId)
}

function findPipeline(db: Db, integrationId: string, key: string) {
  return db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.integrationId, integrationId), eq(pipelines.key, key)))
    .get()
}

async function stagesByStatus(db: Db, pipelineId: string) {
  const rows = await db
    .select()
    .from(pipelineStages)
    .where(eq(pipelineStages.pipelineId, pipelineId))
  return new Map(rows.map((row) => [row.medodsStatus, row]))
}

export function listPipelines(
  db: Db,
  accountId: string,
  filter: Keyset & CreatedRange & { integrationId?: string }
) {
  return keysetPage(
    db.select().from(pipelines).$dynamic(),
    byCreation(pipelines),
    [
      eq(pipelines.accountId, accountId),
      filter.integrationId ? eq(pipelines.integrationId, filter.integrationId) : undefined,
      within(pipelines.createdAt, filter.createdFrom, filter.createdTo),
    ],
    filter
  )
}

/** The stages of these pipelines (already filtered by account), in pipeline order. */
export async function stagesOf(db: Db, pipelineIds: string[]) {
  return readInParts(pipelineIds, 0, (part) =>
    db
      .select()
      .from(pipelineStages)
      .where(inArray(pipelineStages.pipelineId, part))
      .orderBy(asc(pipelineStages.order), asc(pipelineStages.id))
  )
}
