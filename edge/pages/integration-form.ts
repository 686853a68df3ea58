import { z } from 'zod'
import {
  integrationInput,
  integrationPatch,
  presentIntegration,
  type IntegrationPatch,
} from '../api/integration-schemas'
import type { Integration } from '../db/schema'
import { requireDefaultWhenSending } from '../api/integration-settings'
import { ApiError } from '../errors'
import { parseMedodsUid } from '../medods/uid'

/** The page's form as posted: checkboxes are "on" or absent, selects are ids or "". */
export const integrationForm = z.object({
  active: z.literal('on').optional(),
  uid: z.string().max(300, 'Слишком длинный адрес').default(''),
  identity: z.string().max(200, 'Слишком длинный Identity').default(''),
  secretKey: z.string().max(512, 'Слишком длинный SecretKey').default(''),
  sendRequests: z.literal('on').optional(),
  sendDeals: z.literal('on').optional(),
  bySource: z.literal('on').optional(),
  campaignId: z.string().max(64).default(''),
  sourceId: z.string().max(64).default(''),
  siteId: z.string().max(64).default(''),
})

export type IntegrationFormValues = z.infer<typeof integrationForm>
export type FormField = keyof IntegrationFormValues
export type FieldErrors = Partial<Record<FormField, string>>

/** The form filled from a stored integration; the SecretKey is never put back into the page. */
export function formValues(row: Integration): IntegrationFormValues {
  const view = presentIntegration(row)
  const attribution = view.defaultAttribution
  const on = (flag: boolean) => (flag ? ('on' as const) : undefined)
  return {
    active: on(view.active),
    uid: view.uid,
    identity: view.identity,
    secretKey: '',
    sendRequests: on(view.sendRequests),
    sendDeals: on(view.sendDeals),
    bySource: on(attribution?.kind === 'source'),
    campaignId: attribution?.kind === 'campaign' ? attribution.campaignId : '',
    sourceId: attribution?.kind === 'source' ? attribution.sourceId : '',
    siteId: attribution?.kind === 'source' ? attribution.siteId : '',
  }
}

/** The form as the API's own input, so the page and `/api/v1/integrations` validate the same way. */
function toApiInput(form: IntegrationFormValues, creating: boolean) {
  const defaultAttribution = form.bySource
    ? form.sourceId || form.siteId
      ? { kind: 'source' as const, sourceId: form.sourceId, siteId: form.siteId }
      : null
    : form.campaignId
      ? { kind: 'campaign' as const, campaignId: form.campaignId }
      : null
  const secretKey = form.secretKey.trim()
  return {
    active: Boolean(form.active),
    uid: form.uid,
    identity: form.identity,
    // Left empty on an existing integration: keep the stored key, as a PATCH without it does.
    ...(secretKey || creating ? { secretKey } : {}),
    sendRequests: Boolean(form.sendRequests),
    sendDeals: Boolean(form.sendDeals),
    defaultAttribution,
  }
}

/** Russian words for what the API says about a field (its messages are for developers). */
const MESSAGES: Record<string, string> = {
  uid: 'Укажите адрес клиники в Medods, например https://beta45.medods.ru/',
  identity: 'Укажите Identity из файла ключа API v2',
  secretKey: 'Укажите SecretKey из файла ключа API v2',
  campaignId: 'Выберите рекламную кампанию для заявок без визита',
  sourceId: 'Выберите источник для заявок без визита',
  siteId: 'Выберите сайт для заявок без визита',
}

/** Which form field an API field path ("defaultAttribution.siteId", "uid") belongs to. */
function formFieldOf(path: string, form: IntegrationFormValues): FormField {
  const leaf = path.split('.').at(-1) ?? path
  if (leaf in MESSAGES) return leaf as FormField
  if (path.startsWith('defaultAttribution')) {
    if (!form.bySource) return 'campaignId'
    return form.sourceId ? 'siteId' : 'sourceId'
  }
  return 'uid'
}

/** Turns the API's "field: problem; field: problem" into errors next to the page's fields. */
export function fieldErrors(err: ApiError, form: IntegrationFormValues): FieldErrors {
  const errors: FieldErrors = {}
  for (const part of err.message.split('; ')) {
    const path = part.slice(0, Math.max(0, part.indexOf(':')))
    const field = formFieldOf(path, form)
    errors[field] ??= MESSAGES[field] ?? part
  }
  return errors
}

/** Validates like the API; answers its input, or errors keyed by form field. */
export function parseIntegrationForm(
  form: IntegrationFormValues,
  opts: { creating: boolean; allowLocal: boolean }
): { input: IntegrationPatch } | { errors: FieldErrors } {
  const candidate = toApiInput(form, opts.creating)
  const parsed = (opts.creating ? integrationInput : integrationPatch).safeParse(candidate)
  if (parsed.success) return { input: parsed.data }
  const errors: FieldErrors = {}
  for (const issue of parsed.error.issues) {
    const field = formFieldOf(issue.path.map(String).join('.'), form)
    errors[field] ??= MESSAGES[field] ?? issue.message
  }
  // The save checks these later; checked here too, every mistake shows at once.
  if ('error' in parseMedodsUid(form.uid, opts.allowLocal)) errors.uid ??= MESSAGES.uid
  const chosen = candidate.defaultAttribution
  try {
    requireDefaultWhenSending({
      sendRequests: candidate.sendRequests,
      defaultCampaignId: chosen?.kind === 'campaign' ? chosen.campaignId : null,
      defaultSourceId: chosen?.kind === 'source' ? chosen.sourceId : null,
      defaultSiteId: chosen?.kind === 'source' ? chosen.siteId : null,
    })
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return { errors: { ...fieldErrors(err, form), ...errors } }
  }
  return { errors }
}
