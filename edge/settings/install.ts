import type { Db } from '../db/client'
import { findSite, firstSite } from '../db/catalogue'
import type { Integration, Site } from '../db/schema'

/**
 * The site whose script the user installs after Save: the default attribution's site, else the
 * first matched site, else the account's first site. Undefined while the account has no site.
 */
async function installSite(db: Db, row: Integration) {
  const chosenId = row.defaultSiteId ?? row.siteIds[0]
  const chosen = chosenId ? await findSite(db, row.accountId, chosenId) : undefined
  return chosen ?? firstSite(db, row.accountId)
}

/** The widget tag and short steps for the integration's site (see `installSite`); null without a site. */
export async function installFor(db: Db, row: Integration, workerOrigin: string) {
  const site = await installSite(db, row)
  return site ? installForSite(site, workerOrigin) : null
}

/** The widget tag and short steps (Russian, like the cabinet) for one site. */
export function installForSite(site: Pick<Site, 'id' | 'siteKey' | 'domain'>, workerOrigin: string) {
  return {
    siteId: site.id,
    script: `<script async src="${workerOrigin}/w.js" data-site="${site.siteKey}"></script>`,
    instructions: [
      `Скопируйте код и вставьте его на все страницы сайта ${site.domain} ` +
        'перед закрывающим тегом </head>.',
      'Если сайт подключён к Google Tag Manager или конструктору сайтов, ' +
        'добавьте код как пользовательский HTML на всех страницах.',
      'Оставьте виджет онлайн-записи Medods на тех же страницах: так запись связывается с визитом.',
      'Опубликуйте изменения. Визиты записываются сразу, ' +
        'заявки и сделки из Medods загружаются раз в сутки.',
    ],
  }
}
