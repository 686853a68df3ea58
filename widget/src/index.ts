import { registrableDomain, touchOf } from './attribution'
import { contactHashes } from './hash'
import { stampForms, watchLinks, type RecordEvent } from './links'
import { advanceVisit, type VisitState } from './session'
import { loadVisit, saveVisit } from './storage'
import { send } from './transport'
import { clip, safe, uuid } from './util'

// The one global: `mbridge.track('x')` or `mbridge('track', 'x')`. Calls made through the stub
// `window.mbridge = window.mbridge || function () { (mbridge.q = mbridge.q || []).push(arguments) }`
// before this script loaded are replayed.
const GLOBAL = 'mbridge'

function start(script: HTMLScriptElement) {
  const { site, allowBots, bookingOrigin } = script.dataset
  if (!site) return console.warn(GLOBAL + ': no data-site')
  if (allowBots == null && (navigator.webdriver || /Headless/.test(navigator.userAgent))) return
  const endpoint = new URL('c', script.src).href
  const domain = registrableDomain(location.hostname)
  let visit: VisitState | undefined
  // Only the landing page view has a meaningful referrer; later views are internal.
  let referrer = document.referrer
  let path = ''

  // Each event slides the session; a stored visit (another tab, a subdomain) wins over memory.
  const current = (now = Date.now()) => {
    const touch = touchOf(location.href, referrer, location.hostname, now)
    visit = advanceVisit({ ...visit, ...loadVisit() }, touch, now, uuid)
    referrer = ''
    saveVisit(visit, domain)
    stampForms(visit.s)
    return visit
  }
  const record: RecordEvent = safe((t, extra) => {
    const a = Date.now()
    const { x, ...ids } = current(a)
    send(endpoint, {
      k: site,
      ...ids,
      u: clip(location.href, 1000),
      e: [{ i: uuid(), t, a, ...extra }],
    })
  })
  const pageview = safe(() => {
    const here = location.href.replace(/#.*/, '') // a new #fragment is not a new page
    if (path != here) record('pageview')
    path = here
  })
  const sessionId = () => (visit || current()).s
  const api = {
    identify: (contact: { phone?: string; email?: string }) =>
      void contactHashes(contact).then((h) => h[0] && record('identify', { h })),
    track: (name: string) => record('custom', { n: clip(name) }),
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
