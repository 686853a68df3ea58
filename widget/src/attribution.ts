/** Where a page view came from: a pure function of the URL, the referrer and the site's host. */
import { clip } from './util'
import type { WireTouch } from './wire'

export type TouchType = WireTouch['t']

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
  // Under second-level zones such as msk.ru or co.uk the registrable domain has three labels.
  const domain = /[^.]+\.((com|net|org|co|msk|spb)\.)?[^.]+$/.exec(host)
  return domain && !/^[\d.]+$|:/.test(host) ? domain[0] : ''
}

/**
 * The touch of a page view in the wire's one-letter keys (wire.ts); the widget sends it as is.
 * `referrer` is '' or an absolute URL, as in document.referrer; `host` is lower-case, as in
 * location.hostname. Absent fields are empty strings; `k` is {} without click ids.
 */
export function touchOf(url: string, referrer: string, host: string, now: number): WireTouch {
  const params = new URL(url).searchParams
  // Empty values count as absent.
  const param = (name: string) => clip(params.get(name))
  const k: Record<string, string> = {}
  let paid = ''
  for (const name in CLICK_IDS)
    if (param(name)) {
      k[name] = param(name)
      paid ||= CLICK_IDS[name]!
    }
  const [s, m, c, o, e, i] = 'source medium campaign content term id'
    .split(' ')
    .map((key) => param('utm_' + key)) as [string, string, string, string, string, string]
  const from = referrer && new URL(referrer).hostname
  const fromDomain = registrableDomain(from) || from
  // The Google app sends android-app://com.google.android.googlequicksearchbox
  const engine = /quicksearchbox$/.test(from) ? 'google' : SEARCH_ENGINE.exec(fromDomain)?.[1]
  // Without UTM tags the campaign fields are all empty, so only t, s and m depend on the case.
  const [t, source, medium] = (
    paid || s + m + c + o + e + i
      ? ['utm', s || paid, m || (paid && 'cpc')]
      : !from || fromDomain == (registrableDomain(host) || host)
        ? ['direct', '(direct)', '(none)']
        : engine
          ? ['organic', ENGINE_NAMES[engine] || engine, 'organic']
          : ['referral', from.replace(/^www\./, ''), 'referral']
  ) as [TouchType, string, string]
  return {
    t,
    s: source,
    m: medium,
    c,
    o,
    e,
    i,
    k,
    l: clip(url, 1000),
    r: clip(referrer, 1000),
    a: now,
  }
}

/** `touchOf` under readable names, without the page, referrer and time it also carries. */
export function classify({ url, referrer, host }: { url: string; referrer: string; host: string }) {
  const { t, s, m, c, o, e, i, k } = touchOf(url, referrer, host, 0)
  const touch: Touch = { type: t, source: s, medium: m, campaign: c, content: o, term: e, id: i }
  if (Object.keys(k!).length) touch.clickId = k
  return touch
}
