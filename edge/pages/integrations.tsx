import type { Context } from 'hono'
import { z } from 'zod'
import { decryptSecret } from '../crypto/secrets'
import { listCampaigns, listSources } from '../db/catalogue'
import { createDb, type Db } from '../db/client'
import { deleteIntegration, findIntegration, listIntegrations, saveCheck } from '../db/integrations'
import { listRuns } from '../db/imports'
import { listSites } from '../db/queries'
import type { ImportRun, Integration } from '../db/schema'
import { ApiError } from '../errors'
import { isStalled } from '../imports/run'
import { startManualRuns } from '../imports/run-now'
import { connectionReport, type ConnectionReport } from '../imports/connection-report'
import { installFor } from '../settings/install'
import { changeIntegration, createIntegration } from '../settings/save'
import type { IntegrationInput } from '../settings/schema'
import type { AppEnv } from '../types'
import { createRouter } from '../validation'
import { formatDateTime, runErrorText } from './format'
import {
  fieldErrors,
  formValues,
  integrationForm,
  parseIntegrationForm,
  type FieldErrors,
  type IntegrationFormValues,
} from './integration-form'
import {
  CheckNotice,
  DeleteCard,
  DeleteConfirm,
  InstallCard,
  IntegrationForm,
  RunsCard,
  type Catalogue,
} from './integration-view'
import { renderPage } from './layout'

type Ctx = Context<AppEnv>

const CATALOGUE_PAGE = { limit: 200 }

async function catalogueOf(db: Db, accountId: string): Promise<Catalogue> {
  const [campaigns, sources, sites] = await Promise.all([
    listCampaigns(db, accountId, CATALOGUE_PAGE),
    listSources(db, accountId, CATALOGUE_PAGE),
    listSites(db, accountId, CATALOGUE_PAGE),
  ])
  return { campaigns: campaigns.rows, sources: sources.rows, sites: sites.rows }
}

const NEW_FORM: IntegrationFormValues = {
  active: 'on',
  uid: '',
  identity: '',
  secretKey: '',
  campaignId: '',
  sourceId: '',
  siteId: '',
}

async function loadOwn(c: Ctx, db: Db): Promise<Integration> {
  const row = await findIntegration(db, c.get('accountId'), c.req.param('id') ?? '')
  if (!row) throw new ApiError('not_found', 'Интеграция не найдена')
  return row
}

type PageState = {
  values?: IntegrationFormValues
  errors?: FieldErrors
  check?: ConnectionReport
  notice?: { kind: 'ok' | 'fail' | 'info'; text: string }
}

async function integrationPage(c: Ctx, db: Db, row: Integration, state: PageState, status?: 400) {
  const accountId = c.get('accountId')
  const [catalogue, { rows: runs }, install] = await Promise.all([
    catalogueOf(db, accountId),
    recentRuns(db, accountId, row.id),
    installFor(db, row, new URL(c.req.url).origin),
  ])
  const saved = c.req.query('saved') === '1' && !state.errors
  const running = isRunning(runs)
  const body = (
    <>
      <h1>Medods: {row.uid}</h1>
      {saved && (
        <p class="notice ok" role="status">
          {install ? 'Настройки сохранены. Установите код ниже на сайт клиники.' : 'Настройки сохранены.'}
        </p>
      )}
      {state.notice && <p class={`notice ${state.notice.kind}`} role="status">{state.notice.text}</p>}
      {state.check && <CheckNotice result={state.check} />}
      {!state.check && row.lastCheck && <CheckNotice result={row.lastCheck} at={new Date(row.lastCheck.at)} />}
      {saved && <InstallCard install={install} />}
      <IntegrationForm
        action={`/app/integrations/${row.id}`}
        values={state.values ?? formValues(row)}
        errors={state.errors ?? {}}
        catalogue={catalogue}
        secretMask={row.secretKeyMask}
      />
      {!saved && <InstallCard install={install} />}
      <RunsCard id={row.id} runs={runs} running={running} />
      <DeleteCard id={row.id} />
    </>
  )
  const layout = { title: 'Интеграция Medods', section: 'integrations' as const }
  return renderPage(c, layout, body, status)
}

async function newPage(c: Ctx, db: Db, values: IntegrationFormValues, errors: FieldErrors, status?: 400) {
  const catalogue = await catalogueOf(db, c.get('accountId'))
  const body = (
    <>
      <h1>Подключить Medods</h1>
      <p class="hint">Заявки онлайн-записи и сделки клиники будут загружаться из Medods раз в сутки.</p>
      <IntegrationForm action="/app/integrations" values={values} errors={errors} catalogue={catalogue} />
    </>
  )
  return renderPage(c, { title: 'Подключить Medods', section: 'integrations' }, body, status)
}

/** A stalled run is not polled for: "Run now" takes it over. */
function isRunning(runs: ImportRun[], now = new Date()) {
  return runs.some((run) => (run.status === 'queued' || run.status === 'running') && !isStalled(run, now))
}

const RUNS_SHOWN = 5

const recentRuns = (db: Db, accountId: string, integrationId: string) =>
  listRuns(db, accountId, { integrationId, limit: RUNS_SHOWN, direction: 'desc' })

/** Every body reads as a form; what is wrong with it is said next to each field (`parseIntegrationForm`). */
const readForm = async (c: Ctx) => integrationForm.parse(await c.req.parseBody())

/** Saves through the API's own steps; a refused value comes back as an error next to its field. */
async function save(c: Ctx, db: Db, form: IntegrationFormValues, stored?: Integration) {
  const parsed = parseIntegrationForm(form, { creating: !stored, env: c.env })
  if ('errors' in parsed) return parsed
  const ctx = { db, env: c.env, accountId: c.get('accountId') }
  try {
    const row = stored
      ? await changeIntegration(ctx, stored, parsed.input)
      : await createIntegration(ctx, parsed.input as IntegrationInput)
    if (!row) throw new ApiError('not_found', 'Интеграция не найдена')
    return { row }
  } catch (err) {
    if (err instanceof ApiError && err.issues.length > 0) return { errors: fieldErrors(err.issues, form) }
    throw err
  }
}

/** New credentials are tried at once: a key Medods refuses is said with the save, not a day later. */
async function refusedKeyPage(c: Ctx, db: Db, row: Integration) {
  const check = await checkConnection(c, db, row)
  if (check.ok) return undefined
  const notice = { kind: 'info' as const, text: 'Настройки сохранены, но подключение к Medods не работает:' }
  return integrationPage(c, db, row, { check, notice })
}

/** The connection report, kept on the integration so its page shows the last one. */
async function checkConnection(c: Ctx, db: Db, row: Integration) {
  const secretKey = await decryptSecret(row.secretKeyEnc, c.env.SECRETS_KEY)
  const creds = { uid: row.uid, identity: row.identity, secretKey }
  const report = await connectionReport(creds, row, { allowLocal: c.env.MEDODS_ALLOW_LOCAL === '1' })
  await saveCheck(db, row.id, { ...report, at: new Date().toISOString() })
  return report
}

const deleteForm = z.object({ purge: z.literal('on').optional() })

const savedUrl = (row: Integration) => `/app/integrations/${row.id}?saved=1#install`

export const integrationPages = createRouter()
  .get('/', async (c) => {
    const db = createDb(c.env.DB)
    const { rows } = await listIntegrations(db, c.get('accountId'), CATALOGUE_PAGE)
    if (rows.length === 0) return c.redirect('/app/integrations/new', 303)
    const body = (
      <>
        <h1>Интеграции</h1>
        {c.req.query('deleted') === '1' && <p class="notice ok" role="status">Интеграция удалена.</p>}
        <table>
          <thead>
            <tr>
              <th>Medods</th><th>Активна</th><th>Заявки</th><th>Сделки</th>
              <th>Последняя загрузка</th><th>Ошибка</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td><a href={`/app/integrations/${row.id}`}>{row.uid}</a></td>
                <td>{row.active ? 'да' : 'нет'}</td>
                <td>{row.sendRequests ? 'передаются' : 'нет'}</td>
                <td>{row.sendDeals ? 'передаются' : 'нет'}</td>
                <td class="nowrap">{formatDateTime(row.lastRunAt)}</td>
                <td title={row.lastError ?? undefined}>{runErrorText(row.lastError)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p><a class="button" href="/app/integrations/new">Подключить Medods</a></p>
      </>
    )
    return renderPage(c, { title: 'Интеграции', section: 'integrations' }, body)
  })
  .get('/new', async (c) => newPage(c, createDb(c.env.DB), NEW_FORM, {}))
  .post('/', async (c) => {
    const db = createDb(c.env.DB)
    const form = await readForm(c)
    const result = await save(c, db, form)
    if ('errors' in result) return newPage(c, db, form, result.errors, 400)
    return (await refusedKeyPage(c, db, result.row)) ?? c.redirect(savedUrl(result.row), 303)
  })
  .get('/:id', async (c) => {
    const db = createDb(c.env.DB)
    return integrationPage(c, db, await loadOwn(c, db), {})
  })
  .post('/:id', async (c) => {
    const db = createDb(c.env.DB)
    const stored = await loadOwn(c, db)
    const form = await readForm(c)
    const result = await save(c, db, form, stored)
    if ('errors' in result) {
      return integrationPage(c, db, stored, { values: form, errors: result.errors }, 400)
    }
    const keyChanged = ['uid', 'identity', 'secretKeyEnc'].some(
      (field) => stored[field as keyof Integration] !== result.row[field as keyof Integration]
    )
    const refused = keyChanged ? await refusedKeyPage(c, db, result.row) : undefined
    return refused ?? c.redirect(savedUrl(result.row), 303)
  })
  .get('/:id/delete', async (c) => {
    const row = await loadOwn(c, createDb(c.env.DB))
    const body = (
      <>
        <h1>Удалить интеграцию</h1>
        <DeleteConfirm id={row.id} uid={row.uid} />
      </>
    )
    return renderPage(c, { title: 'Удалить интеграцию', section: 'integrations' }, body)
  })
  .post('/:id/delete', async (c) => {
    const db = createDb(c.env.DB)
    const row = await loadOwn(c, db)
    const form = deleteForm.safeParse(await c.req.parseBody())
    if (!form.success) throw new ApiError('bad_request', 'Форма заполнена неверно')
    await deleteIntegration(db, c.get('accountId'), row.id, { purge: form.data.purge === 'on' })
    return c.redirect('/app/integrations?deleted=1', 303)
  })
  .get('/:id/runs', async (c) => {
    const db = createDb(c.env.DB)
    const row = await loadOwn(c, db)
    const { rows } = await recentRuns(db, c.get('accountId'), row.id)
    return c.html(<RunsCard id={row.id} runs={rows} running={isRunning(rows)} />)
  })
  .post('/:id/check', async (c) => {
    const db = createDb(c.env.DB)
    const row = await loadOwn(c, db)
    return integrationPage(c, db, row, { check: await checkConnection(c, db, row) })
  })
  .post('/:id/run', async (c) => {
    const db = createDb(c.env.DB)
    const row = await loadOwn(c, db)
    try {
      await startManualRuns(db, c.env.IMPORTS, row)
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'conflict')) throw err
      const text = 'Загружать нечего: включите «Передавать заявки» или «Передавать сделки» и сохраните.'
      return integrationPage(c, db, row, { notice: { kind: 'fail', text } })
    }
    return c.redirect(`/app/integrations/${row.id}#runs-block`, 303)
  })
