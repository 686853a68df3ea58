import { z } from 'zod'
import type { Integration } from '../db/schema'
import type { FieldIssue } from '../errors'
import { defaultIssues, medodsOrigin } from '../settings/save'
import {
  attributionOf,
  integrationInput,
  integrationPatch,
  type IntegrationPatch,
} from '../settings/schema'
import { issuesOf } from '../validation'

/** Longer than any field may be: kept to show back, not to save (the limits below say what is saved). */
const SHOWN_MAX = 4096
const posted = z.string().catch('').transform((value) => value.slice(0, SHOWN_MAX))
const flag = z.literal('on').optional().catch(undefined)

/**
 * The page's form as posted: checkboxes are "on" or absent, the default's radio "on" (source) or "off",
 * selects ids or "". Any body reads as some form (junk becomes ""), so what was typed always comes back.
 */
export const integrationForm = z.object({
  active: flag,
  uid: posted.default(''),
  identity: posted.default(''),
  secretKey: posted.default(''),
  sendRequests: flag,
  sendDeals: flag,
  bySource: z.enum(['on', 'off']).optional().catch(undefined),
  campaignId: posted.default(''),
  sourceId: posted.default(''),
  siteId: posted.default(''),
})

export type IntegrationFormValues = z.infer<typeof integrationForm>
export type FormField = keyof IntegrationFormValues
export type FieldErrors = Partial<Record<FormField, string>>

/** What the settings allow (edge/settings/schema.ts), said next to the field that passes it. */
const LIMITS: Partial<Record<FormField, [number, string]>> = {
  uid: [300, 'Слишком длинный адрес: не больше 300 символов'],
  identity: [200, 'Слишком длинный Identity: не больше 200 символов'],
  secretKey: [512, 'Слишком длинный SecretKey: не больше 512 символов'],
}

function lengthErrors(form: IntegrationFormValues): FieldErrors {
  const errors: FieldErrors = {}
  for (const [field, [max, message]] of Object.entries(LIMITS) as [FormField, [number, string]][]) {
    if (String(form[field] ?? '').trim().length > max) errors[field] = message
  }
  return errors
}

/** The form filled from a stored integration; the SecretKey is never put back into the page. */
export function formValues(row: Integration): IntegrationFormValues {
  const attribution = attributionOf(row)
  const on = (flag: boolean) => (flag ? ('on' as const) : undefined)
  return {
    active: on(row.active),
    uid: row.uid,
    identity: row.identity,
    secretKey: '',
    sendRequests: on(row.sendRequests),
    sendDeals: on(row.sendDeals),
    bySource: attribution?.kind === 'source' ? 'on' : 'off',
    campaignId: attribution?.kind === 'campaign' ? attribution.campaignId : '',
    sourceId: attribution?.kind === 'source' ? attribution.sourceId : '',
    siteId: attribution?.kind === 'source' ? attribution.siteId : '',
  }
}

/** The form as the API's own input, so the page and `/api/v1/integrations` validate the same way. */
function toApiInput(form: IntegrationFormValues, creating: boolean) {
  const defaultAttribution = form.bySource === 'on'
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

/** Russian words for what the settings say about a field (their messages are for developers). */
const MESSAGES: Record<string, string> = {
  uid: 'Укажите адрес клиники в Medods, например https://beta45.medods.ru/',
  identity: 'Укажите Identity из файла ключа API v2',
  secretKey: 'Укажите SecretKey из файла ключа API v2',
  campaignId: 'Выберите рекламную кампанию для заявок без визита',
  sourceId: 'Выберите источник для заявок без визита',
  siteId: 'Выберите сайт для заявок без визита',
}

/** The UID's problems (`edge/medods/uid.ts`, and `taken` from the save) in a person's words. */
const UID_MESSAGES: Record<string, string> = {
  credentials: 'Адрес не должен содержать имя пользователя или пароль',
  https_required: 'Нужен адрес с https://, например https://beta45.medods.ru/',
  booking_site:
    'Это адрес сайта онлайн-записи, а не клиники. Укажите адрес самой клиники, например beta45.medods.ru',
  taken: 'Эта клиника уже подключена: откройте её интеграцию в списке интеграций',
}

/** Which form field a settings path ("defaultAttribution.siteId", "uid") belongs to. */
function formFieldOf(path: string, form: IntegrationFormValues): FormField {
  const leaf = path.split('.').at(-1) ?? path
  if (leaf in MESSAGES) return leaf as FormField
  if (path.startsWith('defaultAttribution')) {
    if (form.bySource !== 'on') return 'campaignId'
    return form.sourceId ? 'siteId' : 'sourceId'
  }
  return 'uid'
}

/** The settings' field issues as errors next to the page's fields, the first per field. */
export function fieldErrors(issues: FieldIssue[], form: IntegrationFormValues): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of issues) {
    const field = formFieldOf(issue.path, form)
    const byCode = field === 'uid' && issue.code ? UID_MESSAGES[issue.code] : undefined
    errors[field] ??= byCode ?? MESSAGES[field] ?? issue.message
  }
  return errors
}

/** Validates like the API; answers its input, or errors keyed by form field. */
export function parseIntegrationForm(
  form: IntegrationFormValues,
  opts: { creating: boolean; env: Env }
): { input: IntegrationPatch } | { errors: FieldErrors } {
  const tooLong = lengthErrors(form)
  const candidate = toApiInput(form, opts.creating)
  const parsed = (opts.creating ? integrationInput : integrationPatch).safeParse(candidate)
  if (parsed.success && Object.keys(tooLong).length === 0) return { input: parsed.data }
  // The save checks these later; checked here too, every mistake shows at once.
  const origin = medodsOrigin(opts.env, form.uid)
  const chosen = candidate.defaultAttribution
  const issues = [
    ...(parsed.success ? [] : issuesOf(parsed.error)),
    ...('issue' in origin ? [origin.issue] : []),
    ...defaultIssues({
      sendRequests: candidate.sendRequests,
      defaultCampaignId: chosen?.kind === 'campaign' ? chosen.campaignId : null,
      defaultSourceId: chosen?.kind === 'source' ? chosen.sourceId : null,
      defaultSiteId: chosen?.kind === 'source' ? chosen.siteId : null,
    }),
  ]
  return { errors: { ...fieldErrors(issues, form), ...tooLong } }
}
