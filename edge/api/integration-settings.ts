import { findCampaign, findSource } from '../db/catalogue'
import type { Db } from '../db/client'
import { ownSiteIds, type IntegrationSettings } from '../db/integrations'
import type { Integration } from '../db/schema'
import { encryptSecret, maskSecret } from '../crypto/secrets'
import { ApiError } from '../errors'
import { parseMedodsUid } from '../medods/uid'
import { MATCHING_DEFAULTS, type IntegrationPatch } from './integration-schemas'

type Ctx = { db: Db; env: Env; accountId: string }

const invalid = (field: string, problem: string): never => {
  throw new ApiError('bad_request', `${field}: ${problem}`)
}

const unique = <T>(items: T[]) => [...new Set(items)]

/** Default campaign, or source + site, must be the account's own: else 400 naming the field. */
async function attributionColumns(ctx: Ctx, value: IntegrationPatch['defaultAttribution']) {
  if (value === undefined) return {}
  if (value === null) return { defaultCampaignId: null, defaultSourceId: null, defaultSiteId: null }
  if (value.kind === 'campaign') {
    const found = await findCampaign(ctx.db, ctx.accountId, value.campaignId)
    if (!found) invalid('defaultAttribution.campaignId', 'no such campaign in this account')
    return { defaultCampaignId: value.campaignId, defaultSourceId: null, defaultSiteId: null }
  }
  if (!(await findSource(ctx.db, ctx.accountId, value.sourceId))) {
    invalid('defaultAttribution.sourceId', 'no such source in this account')
  }
  const owned = await ownSiteIds(ctx.db, ctx.accountId, [value.siteId])
  if (!owned.has(value.siteId)) invalid('defaultAttribution.siteId', 'no such site in this account')
  return { defaultCampaignId: null, defaultSourceId: value.sourceId, defaultSiteId: value.siteId }
}

async function checkSiteIds(ctx: Ctx, siteIds: string[]) {
  const owned = await ownSiteIds(ctx.db, ctx.accountId, siteIds)
  const index = siteIds.findIndex((id) => !owned.has(id))
  if (index >= 0) invalid(`siteIds.${index}`, 'no such site in this account')
}

/**
 * Turns validated input into columns: the UID is reduced to its allow-listed origin, the SecretKey
 * is encrypted (only its mask kept in clear), references are checked against the account. Fields
 * left out stay undefined, so PATCH keeps what is stored.
 */
export async function settingsColumns(
  ctx: Ctx,
  input: IntegrationPatch
): Promise<Partial<IntegrationSettings>> {
  const { uid, secretKey, defaultAttribution, siteIds, onlineSourceIds, ...plain } = input
  const columns: Partial<IntegrationSettings> = { ...plain }
  if (uid !== undefined) {
    const parsed = parseMedodsUid(uid, ctx.env.MEDODS_ALLOW_LOCAL === '1')
    columns.uid = 'error' in parsed ? invalid('uid', parsed.error) : parsed.origin
  }
  if (secretKey !== undefined) {
    columns.secretKeyEnc = await encryptSecret(secretKey, ctx.env.SECRETS_KEY)
    columns.secretKeyMask = maskSecret(secretKey)
  }
  if (siteIds !== undefined) {
    columns.siteIds = unique(siteIds)
    await checkSiteIds(ctx, columns.siteIds)
  }
  if (onlineSourceIds !== undefined) columns.onlineSourceIds = unique(onlineSourceIds)
  return { ...columns, ...(await attributionColumns(ctx, defaultAttribution)) }
}

/** Bookings no session explains need somewhere to go: sending requests requires a default. */
export function requireDefaultWhenSending(row: Partial<Integration>) {
  const hasDefault = Boolean(row.defaultCampaignId || (row.defaultSourceId && row.defaultSiteId))
  if (row.sendRequests && !hasDefault) {
    invalid(
      'defaultAttribution',
      'required while sendRequests is on (a campaign, or a source and a site)'
    )
  }
}

export const CREATE_DEFAULTS = {
  kind: 'medods' as const,
  active: true,
  sendRequests: false,
  sendDeals: false,
  onlineSourceIds: [],
  siteIds: [],
  ...MATCHING_DEFAULTS,
}
