import { encryptSecret, maskSecret } from '../crypto/secrets'
import { findCampaign, findSource } from '../db/catalogue'
import type { Db } from '../db/client'
import {
  findIntegrationByUid,
  insertIntegration,
  ownSiteIds,
  updateIntegration,
  type IntegrationSettings,
} from '../db/integrations'
import { ensureAccount } from '../db/queries'
import type { Integration } from '../db/schema'
import { ApiError, invalidInput, type FieldIssue } from '../errors'
import { parseMedodsUid } from '../medods/uid'
import { MATCHING_DEFAULTS, type IntegrationInput, type IntegrationPatch } from './schema'

export type SettingsContext = { db: Db; env: Env; accountId: string }

/** What a new integration holds where its input is silent. */
export const CREATE_DEFAULTS = {
  kind: 'medods' as const,
  active: true,
  sendRequests: false,
  sendDeals: false,
  onlineSourceIds: [],
  siteIds: [],
  ...MATCHING_DEFAULTS,
}

/** Connects a clinic: the input over `CREATE_DEFAULTS`; a refused input is one 400 naming every field. */
export async function createIntegration(ctx: SettingsContext, input: IntegrationInput) {
  const columns = { ...CREATE_DEFAULTS, ...(await checkedColumns(ctx, input, CREATE_DEFAULTS)) }
  await refuseSecondConnection(ctx, columns.uid!)
  await ensureAccount(ctx.db, ctx.accountId)
  return insertIntegration(ctx.db, ctx.accountId, columns as IntegrationSettings)
}

/** Changes the fields `patch` names; the rest stays as stored. Undefined when the row is gone. */
export async function changeIntegration(ctx: SettingsContext, stored: Integration, patch: IntegrationPatch) {
  const columns = await checkedColumns(ctx, patch, stored)
  if (columns.uid && columns.uid !== stored.uid) await refuseSecondConnection(ctx, columns.uid, stored.id)
  // The last report was about the old key or clinic: it says nothing of the new one.
  const newCredentials =
    (columns.uid !== undefined && columns.uid !== stored.uid) ||
    (columns.identity !== undefined && columns.identity !== stored.identity) ||
    columns.secretKeyEnc !== undefined
  return updateIntegration(ctx.db, ctx.accountId, stored.id, {
    ...columns,
    ...(newCredentials ? { lastCheck: null } : {}),
  })
}

/** The columns of `input`, checked together with what they change (`base`): every issue at once. */
async function checkedColumns(
  ctx: SettingsContext,
  input: IntegrationPatch,
  base: Partial<Integration>
): Promise<Partial<IntegrationSettings>> {
  const issues: FieldIssue[] = []
  const columns = await settingsColumns(ctx, input, issues)
  issues.push(...defaultIssues({ ...base, ...columns }))
  if (issues.length > 0) throw invalidInput(issues)
  return columns
}

/**
 * One integration per clinic and account: a second would import every booking twice. A 409 naming the
 * one that connects it (a check, not an index: an account may already hold two from before).
 */
async function refuseSecondConnection(ctx: SettingsContext, uid: string, except?: string) {
  const existing = await findIntegrationByUid(ctx.db, ctx.accountId, uid, except)
  if (!existing) return
  const message = `integration ${existing.id} already connects ${uid}`
  throw new ApiError('conflict', `uid: ${message}`, [{ path: 'uid', message, code: 'taken' }])
}

/** Bookings no session explains need somewhere to go: sending requests requires a default. */
export function defaultIssues(row: Partial<Integration>): FieldIssue[] {
  const hasDefault = Boolean(row.defaultCampaignId || (row.defaultSourceId && row.defaultSiteId))
  if (!row.sendRequests || hasDefault) return []
  const message = 'required while sendRequests is on (a campaign, or a source and a site)'
  return [{ path: 'defaultAttribution', message }]
}

/** The UID as an allow-listed origin, or the issue with it. */
export function medodsOrigin(env: Env, uid: string): { origin: string } | { issue: FieldIssue } {
  const parsed = parseMedodsUid(uid, env.MEDODS_ALLOW_LOCAL === '1')
  if (!('error' in parsed)) return parsed
  return { issue: { path: 'uid', message: parsed.error, code: parsed.problem } }
}

const unique = <T>(items: T[]) => [...new Set(items)]

/**
 * Turns input into columns: the UID reduced to its origin, the SecretKey encrypted (only its mask kept in
 * clear), references checked against the account. Fields left out stay undefined.
 */
async function settingsColumns(
  ctx: SettingsContext,
  input: IntegrationPatch,
  issues: FieldIssue[]
): Promise<Partial<IntegrationSettings>> {
  const { uid, secretKey, defaultAttribution, siteIds, onlineSourceIds, ...plain } = input
  const columns: Partial<IntegrationSettings> = { ...plain }
  if (uid !== undefined) {
    const origin = medodsOrigin(ctx.env, uid)
    if ('issue' in origin) issues.push(origin.issue)
    else columns.uid = origin.origin
  }
  if (secretKey !== undefined) {
    columns.secretKeyEnc = await encryptSecret(secretKey, ctx.env.SECRETS_KEY)
    columns.secretKeyMask = maskSecret(secretKey)
  }
  if (siteIds !== undefined) {
    columns.siteIds = unique(siteIds)
    issues.push(...(await siteIssues(ctx, columns.siteIds)))
  }
  if (onlineSourceIds !== undefined) columns.onlineSourceIds = unique(onlineSourceIds)
  return { ...columns, ...(await attributionColumns(ctx, defaultAttribution, issues)) }
}

async function siteIssues(ctx: SettingsContext, siteIds: string[]): Promise<FieldIssue[]> {
  const owned = await ownSiteIds(ctx.db, ctx.accountId, siteIds)
  return siteIds.flatMap((id, index) =>
    owned.has(id) ? [] : [{ path: `siteIds.${index}`, message: 'no such site in this account' }]
  )
}

/** Default campaign, or source + site, must be the account's own. */
async function attributionColumns(
  ctx: SettingsContext,
  value: IntegrationPatch['defaultAttribution'],
  issues: FieldIssue[]
) {
  if (value === undefined) return {}
  if (value === null) return { defaultCampaignId: null, defaultSourceId: null, defaultSiteId: null }
  const missing = (path: string, what: string) =>
    issues.push({ path: `defaultAttribution.${path}`, message: `no such ${what} in this account` })
  if (value.kind === 'campaign') {
    if (!(await findCampaign(ctx.db, ctx.accountId, value.campaignId))) missing('campaignId', 'campaign')
    return { defaultCampaignId: value.campaignId, defaultSourceId: null, defaultSiteId: null }
  }
  if (!(await findSource(ctx.db, ctx.accountId, value.sourceId))) missing('sourceId', 'source')
  const owned = await ownSiteIds(ctx.db, ctx.accountId, [value.siteId])
  if (!owned.has(value.siteId)) missing('siteId', 'site')
  return { defaultCampaignId: null, defaultSourceId: value.sourceId, defaultSiteId: value.siteId }
}
