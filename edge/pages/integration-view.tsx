import type { Campaign, ImportRun, Site, Source, StoredCheck } from '../db/schema'
import { formatDateTime, runErrorText, RUN_STATUS } from './format'
import type { FieldErrors, IntegrationFormValues } from './integration-form'
import { Field } from './layout'

export type Catalogue = { campaigns: Campaign[]; sources: Source[]; sites: Site[] }
/** `siteId`: the site the script is for, linked to its installation page (absent on that page). */
export type Install = { siteId?: string; script: string; instructions: string[] }

type FormProps = {
  action: string
  values: IntegrationFormValues
  errors: FieldErrors
  catalogue: Catalogue
  /** The stored key's mask; absent while creating. */
  secretMask?: string
}

const invalid = (error?: string) => (error ? 'true' : undefined)

const NO_CAMPAIGNS =
  'В аккаунте пока нет рекламных кампаний: создайте кампанию в кабинете сквозной аналитики ' +
  '(или выберите «Источник и сайт»), затем вернитесь сюда.'
const NO_SOURCES = 'В аккаунте пока нет источников: создайте источник в кабинете сквозной аналитики.'

const UID_HINT = 'Адрес клиники в Medods, например https://beta45.medods.ru/'
const IDENTITY_HINT = 'Из файла ключа API v2 (Справочники → Клиенты API → Ключи доступа)'
const secretHint = (mask?: string) =>
  mask ? `Сохранён ключ ${mask}; оставьте поле пустым, чтобы не менять его` : 'Из того же файла ключа'

type CheckProps = { name: keyof IntegrationFormValues; label: string; checked: boolean; hint?: string }

function Check(props: CheckProps) {
  return (
    <div class="check">
      <input type="checkbox" id={props.name} name={props.name} checked={props.checked} />
      <label for={props.name}>{props.label}</label>
      {props.hint && <span class="hint">{props.hint}</span>}
    </div>
  )
}

function Select(props: {
  name: 'campaignId' | 'sourceId' | 'siteId'
  value: string
  error?: string
  options: { id: string; name: string }[]
}) {
  return (
    <select id={props.name} name={props.name} aria-invalid={invalid(props.error)}>
      <option value="">— выберите —</option>
      {props.options.map((o) => (
        <option value={o.id} selected={o.id === props.value}>
          {o.name}
        </option>
      ))}
    </select>
  )
}

export function IntegrationForm({ action, values, errors, catalogue, secretMask }: FormProps) {
  const sites = catalogue.sites.map((s) => ({ id: s.id, name: `${s.name} (${s.domain})` }))
  return (
    <form method="post" action={action} class="card" novalidate>
      <Check name="active" label="Активен" checked={Boolean(values.active)} hint="Загрузка из Medods идёт раз в сутки" />
      <Field id="uid" label="UID" error={errors.uid} hint={UID_HINT}>
        <input
          type="text"
          id="uid"
          name="uid"
          value={values.uid}
          aria-invalid={invalid(errors.uid)}
        />
      </Field>
      <Field id="identity" label="Identity" error={errors.identity} hint={IDENTITY_HINT}>
        <input
          type="text"
          id="identity"
          name="identity"
          value={values.identity}
          aria-invalid={invalid(errors.identity)}
          autocomplete="off"
        />
      </Field>
      <Field id="secretKey" label="SecretKey" error={errors.secretKey} hint={secretHint(secretMask)}>
        <input
          type="password"
          id="secretKey"
          name="secretKey"
          value={values.secretKey}
          aria-invalid={invalid(errors.secretKey)}
          autocomplete="new-password"
        />
      </Field>
      <Check name="sendRequests" label="Передавать заявки" checked={Boolean(values.sendRequests)} />
      <Check name="sendDeals" label="Передавать сделки" checked={Boolean(values.sendDeals)} />
      <fieldset class="choice">
        <legend>Рекламная кампания / Источник: куда относить заявки без визита</legend>
        <label>
          <input type="radio" name="bySource" value="off" checked={values.bySource !== 'on'} /> Рекламная кампания
        </label>
        <label>
          <input type="radio" name="bySource" value="on" checked={values.bySource === 'on'} /> Источник и сайт
        </label>
      </fieldset>
      <div data-when="campaign">
        <Field
          id="campaignId"
          label="Рекламная кампания для заявок без визита"
          error={errors.campaignId}
          hint={catalogue.campaigns.length === 0 ? NO_CAMPAIGNS : undefined}
        >
          <Select
            name="campaignId"
            value={values.campaignId}
            error={errors.campaignId}
            options={catalogue.campaigns}
          />
        </Field>
      </div>
      <div data-when="source">
        <Field
          id="sourceId"
          label="Источник для заявок без визита"
          error={errors.sourceId}
          hint={catalogue.sources.length === 0 ? NO_SOURCES : undefined}
        >
          <Select
            name="sourceId"
            value={values.sourceId}
            error={errors.sourceId}
            options={catalogue.sources}
          />
        </Field>
        <Field id="siteId" label="Сайт" error={errors.siteId}>
          <Select name="siteId" value={values.siteId} error={errors.siteId} options={sites} />
        </Field>
      </div>
      <button type="submit">Сохранить</button>
    </form>
  )
}

export function InstallCard({ install }: { install: Install | null }) {
  if (!install) {
    return <p class="notice info">Добавьте сайт в кабинете, чтобы получить код для установки.</p>
  }
  return (
    <section class="card" id="install">
      <h2>Код для сайта</h2>
      <pre id="install-script">{install.script}</pre>
      <div class="actions">
        <button type="button" class="secondary" data-copy="install-script">
          Копировать код
        </button>
      </div>
      <ol>
        {install.instructions.map((step) => (
          <li>{step}</li>
        ))}
      </ol>
      {install.siteId && (
        <p>
          <a href={`/app/sites/${install.siteId}`} id="install-check">
            Проверить установку: пришёл ли первый визит →
          </a>
        </p>
      )}
    </section>
  )
}

const RUN_KIND: Record<ImportRun['kind'], string> = { requests: 'Заявки', deals: 'Сделки' }

const REPORT_MARK = { ok: '✓', missing: '—', not_understood: '!' } as const

/** A check just made, or the stored last one (`at` set: said when). */
export function CheckNotice({ result, at }: { result: Omit<StoredCheck, 'at'>; at?: Date }) {
  const when = at && <span class="hint"> Проверено {formatDateTime(at)}.</span>
  const notice = result.ok ? (
    <p class="notice ok" role="status" id="check-result">
      Подключение работает: Medods принял ключ, все нужные разделы доступны.{when}
    </p>
  ) : (
    <p class="notice fail" role="alert" id="check-result">
      {result.message}
      {when}
    </p>
  )
  if (result.items.length === 0) return notice
  return (
    <>
      {notice}
      <ul class="report" id="check-report">
        {result.items.map((entry) => (
          <li data-item={entry.item} data-status={entry.status}>
            {REPORT_MARK[entry.status]} {entry.message}
          </li>
        ))}
      </ul>
    </>
  )
}

/**
 * The runs block. While a run goes on, app.js fetches it again from `data-poll` every few seconds and swaps
 * only this block, so the form above keeps what is being typed; it stops once nothing runs.
 */
export function RunsCard({ id, runs, running }: { id: string; runs: ImportRun[]; running: boolean }) {
  return (
    <section class="card" id="runs-block" data-poll={`/app/integrations/${id}/runs`} data-running={String(running)}>
      <h2>Загрузка из Medods</h2>
      <p class="hint">
        Заявки и сделки загружаются раз в сутки; проверить ключ и запустить загрузку можно сразу.
      </p>
      {running && (
        <p class="notice info" role="status">
          Загрузка идёт: таблица ниже обновляется сама, остальная страница не меняется.
        </p>
      )}
      <div class="actions">
        <form method="post" action={`/app/integrations/${id}/check`}>
          <button type="submit" class="secondary">Проверить подключение</button>
        </form>
        <form method="post" action={`/app/integrations/${id}/run`}>
          <button type="submit">Запустить сейчас</button>
        </form>
      </div>
      {runs.length > 0 && (
        <table id="runs">
          <thead>
            <tr>
              <th>Что</th><th>Создан</th><th>Статус</th><th>Получено</th><th>Сохранено</th>
              <th>Связано с визитом</th><th>Ошибка</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr data-status={run.status}>
                <td>{RUN_KIND[run.kind]}</td>
                <td class="nowrap">{formatDateTime(run.createdAt)}</td>
                <td>{RUN_STATUS[run.status]}</td>
                <td>{run.fetched}</td>
                <td>{run.stored}</td>
                <td>{run.matchedSessionId + run.matchedContact + run.matchedBookingWindow}</td>
                <td title={run.error ?? undefined}>{runErrorText(run.error)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export function DeleteCard({ id }: { id: string }) {
  return (
    <section class="card">
      <h2>Удаление</h2>
      <p class="hint">Загрузка остановится, SecretKey будет стёрт. Загруженные заявки и сделки можно оставить.</p>
      <a class="button secondary" href={`/app/integrations/${id}/delete`}>Удалить интеграцию…</a>
    </section>
  )
}

export function DeleteConfirm({ id, uid }: { id: string; uid: string }) {
  return (
    <form method="post" action={`/app/integrations/${id}/delete`} class="card">
      <p>
        Удалить интеграцию с {uid}? Загрузка из Medods остановится, SecretKey будет стёрт без возможности
        восстановления.
      </p>
      <div class="check">
        <input type="checkbox" id="purge" name="purge" />
        <label for="purge">Удалить и загруженные заявки, сделки и историю загрузок</label>
        <span class="hint">Без отметки они останутся в «Сырых данных» и в API.</span>
      </div>
      <div class="actions">
        <button type="submit" class="danger">Удалить</button>
        <a class="button secondary" href={`/app/integrations/${id}`}>Отмена</a>
      </div>
    </form>
  )
}
