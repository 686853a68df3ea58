import { randomSecret } from '../settings-helpers'
import type { Operation } from './api-document'
import type { Account } from './api-rows'

/**
 * A valid body for each cabinet write, for `account` (its own references), keyed by "METHOD path".
 * Writes that take no body are left out; a write that needs one and has none here fails the tests.
 */
const writeBodies = (account: Account): Record<string, unknown> => ({
  'POST /api/v1/sites': { name: 'Второй сайт', domain: 'https://www.second.ru/prices' },
  'POST /api/v1/campaigns': { name: 'ВКонтакте', utmSource: 'vk', utmMedium: 'cpc' },
  'POST /api/v1/sources': { name: 'Сарафан' },
  'POST /api/v1/integrations': {
    uid: 'https://second.medods.ru/',
    identity: 'second',
    secretKey: randomSecret(),
  },
  'PATCH /api/v1/sites/{id}': { name: 'Переименован' },
  'PATCH /api/v1/campaigns/{id}': { utmCampaign: 'implants' },
  'PATCH /api/v1/sources/{id}': { name: 'Переименован' },
  'PATCH /api/v1/integrations/{id}': {
    sendRequests: true,
    defaultAttribution: { kind: 'campaign', campaignId: account.campaignId },
  },
  'POST /api/v1/integrations/{id}/run': { kind: 'requests' },
})

export function bodyFor(op: Operation, account: Account): string | undefined {
  const key = `${op.method} ${op.path}`
  const body = writeBodies(account)[key]
  if (body !== undefined) return JSON.stringify(body)
  if (op.requestBody?.required) throw new Error(`no body for ${key}: add one in support/api-writes`)
  return undefined
}

export const isWrite = (op: Operation) => op.method !== 'GET'
