import { touchOf } from './attribution'
import { contactHashes, type Contact } from './hash'
import { stampForms, watchLinks, type RecordEvent } from './links'
import { advanceVisit, type VisitState } from './session'
import { loadVisit, saveVisit } from './storage'
import { send } from './transport'
import { attempt, clip, uuid } from './util'

// The one global: `mbridge.track('x')` or `mbridge('track', 'x')`. Calls made through the stub
// `window.mbridge = window.mbridge || function () { (mbridge.q = mbridge.q || []).push(arguments) }`
// before this script loaded are replayed.
const GLOBAL = 'mbridge'

attempt(() => {
  const script = document.currentScript as HTMLScriptElement
  const { site, allowBots, bookingOrigin } = script.dataset
  if (!site || (allowBots == null && (navigator.webdriver || /Headless/.test(navigator.userAgent))))
    return
  const endpoint = new URL('c', script.src)
  let visit: VisitState
  // Only the landing page view has a meaningful referrer; later views are internal.
  let referrer = document.referrer
  let path: string

  // Each event slides the session; a stored visit (another tab, a subdomain) wins over memory.
  const record: RecordEvent = (t, extra) =>
    attempt(() => {
      const a = Date.now()
      const touch = touchOf(location.href, referrer, location.hostname, a)
      visit = advanceVisit({ ...visit, ...loadVisit() }, touch, a, uuid)
      referrer = ''
      saveVisit(visit)
      stampForms(visit.s)
      const { x, ...ids } = visit
      send(endpoint, {
        ...ids,
        k: site,
        u: touch.l, // this page, clipped as the collector's limit wants
        e: [{ i: uuid(), t, a, ...extra }],
      })
    })
  const pageview = () => {
    const here = location.href.replace(/#.*/, '') // a new #fragment is not a new page
    if (path != here) record('pageview')
    path = here
  }
  const api = {
    identify: (contact: Contact) =>
      void contactHashes({ ...contact }).then((h) => h[0] && record('identify', { h })),
    track: (name: unknown) => record('custom', { n: clip(name) }),
    sessionId: () => visit?.s,
  }

  pageview()
  watchLinks(record, () => visit.s, bookingOrigin)
  const pushState = history.pushState
  history.pushState = function () {
    pushState.apply(this, arguments as unknown as Parameters<History['pushState']>)
    pageview()
  }
  addEventListener('popstate', pageview)

  // An unknown method is ignored; the methods themselves never throw.
  const w = window as unknown as Record<string, unknown>
  const stub = w[GLOBAL] as { q?: IArguments[] } | undefined
  const call = (method: string, ...args: [never]) => api[method as keyof typeof api]?.(...args)
  w[GLOBAL] = Object.assign(call, api)
  for (const args of stub?.q || []) call(...(args as unknown as Parameters<typeof call>))
})
