import { createRoute, z } from '@hono/zod-openapi'
import { createDb } from '../db/client'
import { listPipelines, stagesOf } from '../db/pipelines'
import { STAGE_KINDS, type Pipeline, type PipelineStage } from '../db/schema'
import { createRouter } from '../validation'
import { listQuery, pageOf, presentPage } from './pagination'
import { errorResponses, jsonBody } from './schemas'

export const stageSchema = z
  .object({
    id: z.string(),
    title: z.string().openapi({ example: 'Счет оплачен' }),
    kind: z.enum(STAGE_KINDS),
    order: z.number().int().openapi({ description: 'Position in the pipeline: 10, 20, …' }),
    medodsStatus: z
      .string()
      .openapi({ example: 'paid', description: 'The Medods appointment status' }),
  })
  .openapi('Stage')

export const presentStage = (stage: PipelineStage) => ({
  id: stage.id,
  title: stage.title,
  kind: stage.kind,
  order: stage.order,
  medodsStatus: stage.medodsStatus,
})

const pipelineSchema = z
  .object({
    id: z.string(),
    integrationId: z.string(),
    name: z.string().openapi({ example: 'Medods' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    stages: z.array(stageSchema),
  })
  .openapi('Pipeline')

const present = (pipeline: Pipeline, stages: PipelineStage[]) => ({
  id: pipeline.id,
  integrationId: pipeline.integrationId,
  name: pipeline.name,
  createdAt: pipeline.createdAt.toISOString(),
  stages: stages.filter((s) => s.pipelineId === pipeline.id).map(presentStage),
})

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['deals'],
  summary:
    'Sales pipelines with their stages (created by the first deals import of an integration)',
  request: { query: listQuery.extend({ integrationId: z.string().max(100).optional() }) },
  responses: { 200: jsonBody(pageOf(pipelineSchema)), ...errorResponses },
})

export const pipelinesApi = createRouter().openapi(list, async (c) => {
  const db = createDb(c.env.DB)
  const page = await listPipelines(db, c.get('accountId'), c.req.valid('query'))
  const stages = await stagesOf(
    db,
    page.rows.map((row) => row.id)
  )
  return c.json(presentPage(page, (row) => present(row, stages)), 200)
})
