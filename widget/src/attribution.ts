/** Where a page view came from: a pure function of the URL, the referrer and the site's host. */
export type TouchType = 'utm' | 'organic' | 'referral' | 'direct'

export type Touch = {
  type: TouchType
  source: string
  medium: string
  campaign: string
  content: string
  term: string
  id: string // utm_id
  clickId?: Record<string, string> // raw click ids by parameter name, e.g. { yclid: '…' }
}

// Click ids kept raw; those with a platform imply source / medium when the URL has no UTM tags.
const CLICK_IDS: Record<string, string> = {
  yclid: 'yandex',
  gclid: 'google',
  msclkid: 'bing',
  fbclid: '',
}

// Search engines by the first label of the referrer's registrable domain (yandex for www.yandex.com.tr),
// since browsers send origin-only referrers. Look-alikes such as notyandex.ru or yandex.ru.evil.com
// have other registrable domains. Data, not code: the list can grow without a rewrite.
const SEARCH_ENGINE = /^(yandex|ya|google|bing|mail|rambler|duckduckgo|yahoo)\./
const ENGINE_NAMES: Record<string, string> = { ya: 'yandex', mail: 'mail.ru' }

/** The domain a cookie may be shared on: clinic.ru for www.clinic.ru; '' for IPs and single labels. */
export function registrableDomain(host: string): string {
  const labels = host.split('.')
  // Under second-level zones such as msk.ru or co.uk the registrable domain has three labels.
  const take = /^(com|net|org|co|msk|spb)\.\w+$/.test(labels.slice(-2).join('.')) ? -3 : -2
  return /^[\d.]+$|:|^[^.]*$/.test(host) ? '' : labels.slice(take).join('.')
}

const touch = (type: TouchType, source: string, medium: string, utm: string[] = []): Touch => {
  const [campaign = '', content = '', term = '', id = ''] = utm
  return { type, source, medium, campaign, content, term, id }
}

/**
 * Absent fields are empty strings. `referrer` is '' or an absolute URL, as in document.referrer;
 * `host` is lower-case, as in location.hostname.
 */
export function classify({ url, referrer, host }: { url: string; referrer: string; host: string }) {
  const params = new URL(url).searchParams
  // Empty values count as absent.
  const param = (name: string) => (params.get(name) || '').trim()
  const clickId: Record<string, string> = {}
  let paid = ''
  for (const name in CLICK_IDS)
    if (param(name)) {
      clickId[name] = param(name).slice(0, 200)
      paid ||= CLICK_IDS[name]!
    }
  const [source, medium, ...utm] = ['source', 'medium', 'campaign', 'content', 'term', 'id'].map(
    (key) => param('utm_' + key)
  )
  const from = referrer && new URL(referrer).hostname
  const fromDomain = registrableDomain(from) || from
  // The Google app sends android-app://com.google.android.googlequicksearchbox
  const engine = /googlequicksearchbox$/.test(from) ? 'google' : SEARCH_ENGINE.exec(fromDomain)?.[1]
  const result =
    paid || source || medium || utm.some(Boolean)
      ? touch('utm', source || paid, medium || (paid && 'cpc'), utm)
      : !from || fromDomain == (registrableDomain(host) || host)
        ? touch('direct', '(direct)', '(none)')
        : engine
          ? touch('organic', ENGINE_NAMES[engine] || engine, 'organic')
          : touch('referral', from.replace(/^www\./, ''), 'referral')
  if (paid || clickId.fbclid) result.clickId = clickId
  return result
}
