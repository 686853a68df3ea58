import { classify, registrableDomain } from './attribution'
import { contactHashes } from './hash'
import { stampForms, watchLinks, type RecordEvent } from './links'
import { advanceVisit, type VisitState } from './session'
import { loadVisit, saveVisit } from './storage'
import { send } from './transport'
import { safe, short, uuid } from './util'
import type { WireTouch } from './wire'

// The one global: `mbridge.track('x')` or `mbridge('track', 'x')`. Calls made through the stub
// `window.mbridge = window.mbridge || function () { (mbridge.q = mbridge.q || []).push(arguments) }`
// before this script loaded are replayed.
const GLOBAL = 'mbridge'

const cap = (url: string) => url.slice(0, 1000)

function touchAt(url: string, referrer: string, now: number): WireTouch {
  const t = classify({ url, referrer, host: location.hostname })
  const { type, source, medium, campaign, content, term, id, clickId } = t
  return {
    t: type,
    s: source,
    m: medium,
    c: campaign,
    o: content,
    e: term,
    i: id,
    k: clickId,
    l: cap(url),
    r: cap(referrer),
    a: now,
  }
}

function start(script: HTMLScriptElement) {
  const { site, allowBots, bookingOrigin } = script.dataset
  if (!site) return console.warn(GLOBAL + ': no data-site on the script tag')
  if (allowBots == null && (navigator.webdriver || /Headless/.test(navigator.userAgent))) return
  const endpoint = new URL('c', script.src).href
  const domain = registrableDomain(location.hostname)
  let visit: VisitState | undefined
  // Only the landing page view has a meaningful referrer; later views are internal.
  let referrer = document.referrer
  let path = ''

  // Each event slides the session; a stored visit (another tab, a subdomain) wins over memory.
  const current = (now = Date.now()) => {
    visit = advanceVisit(
      { ...visit, ...loadVisit() },
      touchAt(location.href, referrer, now),
      now,
      uuid
    )
    referrer = ''
    saveVisit(visit, domain)
    stampForms(visit.s)
    return visit
  }
  const record: RecordEvent = safe((t, extra) => {
    const a = Date.now()
    const { x, ...ids } = current(a)
    send(endpoint, { k: site, ...ids, u: cap(location.href), e: [{ i: uuid(), t, a, ...extra }] })
  })
  const pageview = safe(() => {
    const here = location.pathname + location.search
    if (path != here) record('pageview')
    path = here
  })
  const sessionId = () => (visit || current()).s
  const api = {
    identify: (contact: { phone?: string; email?: string }) =>
      void contactHashes(contact).then((h) => h[0] && record('identify', { h })),
    track: (name: string) => record('custom', { n: short(name) }),
    sessionId,
  }

  pageview()
  watchLinks(record, sessionId, bookingOrigin)
  const pushState = history.pushState
  history.pushState = function (...args) {
    pushState.apply(this, args)
    pageview()
  }
  addEventListener('popstate', pageview)

  const w = window as unknown as Record<string, unknown>
  const queued = (w[GLOBAL] as { q?: IArguments[] })?.q || []
  const call = safe((method: keyof typeof api, ...args: [never]) => api[method](...args))
  w[GLOBAL] = Object.assign(call, api)
  for (const args of queued) call(...(args as unknown as Parameters<typeof call>))
}

safe(start)(document.currentScript as HTMLScriptElement)
