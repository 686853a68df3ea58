import { csrf } from 'hono/csrf'
import { secureHeaders } from 'hono/secure-headers'

/**
 * Headers of every page: a CSP with no inline script or style at all (scripts and styles are files of
 * this origin), no framing by other sites, no referrer to other sites, no MIME sniffing. `frameSrc`
 * lists the origins a page may embed (the demo's Medods booking drawer).
 */
export function pageHeaders(frameSrc: string[] = []) {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameSrc: frameSrc.length > 0 ? frameSrc : ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
  })
}

/**
 * Page forms post only from this origin: the browser's Origin (or Sec-Fetch-Site) must say so, on top
 * of the SameSite=Lax session cookie, so another site cannot submit a form in a signed-in browser.
 */
export const sameOriginForms = csrf()
