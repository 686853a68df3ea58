import { describe, expect, it } from 'vitest'
import { BASE, call, cookieFor, FORM } from './helpers'
import { requestRow, setUpAccount } from './support/api-rows'

// Issue 17, item 6: every word a person reads on the pages is Russian, but for code, addresses and names.

/** Names of things (products, fields of a Medods key file, tag names) that stay as they are. */
const PROPER = new Set([
  'Medods', 'UID', 'Identity', 'SecretKey', 'API', 'v2', 'CSV', 'UTM', 'utm_source', 'utm_medium',
  'utm_campaign', 'ID', 'JWT', 'e-mail', 'E-mail', 'https', 'http', 'online', 'Excel', 'GET', 'entries',
  'Google', 'Tag', 'Manager', 'HTML', 'head',
])

/** What a person reads: text and tooltips, without scripts, styles, the install snippet, URLs or hosts. */
function readableText(html: string): string {
  const titles = [...html.matchAll(/\btitle="([^"]*)"/g)].map((m) => m[1])
  const text = html
    .replace(/<(script|style|pre|code|head)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
  return [text, ...titles]
    .join(' ')
    .replace(/\bhttps?:\/\/\S+/g, ' ')
    .replace(/••••\S*/g, ' ')
    .replace(/\/app\/\S*/g, ' ')
    .replace(/\b[\w-]+(?:\.[\w-]+)+\b/g, ' ')
}

const latinWords = (html: string) =>
  [...new Set(readableText(html).match(/[A-Za-z][A-Za-z0-9_-]*/g) ?? [])].filter((word) => !PROPER.has(word))

describe('the pages in Russian', () => {
  it('show no Latin-script word outside code, addresses and proper names, on every page', async () => {
    const account = await setUpAccount('acc-russian-pages')
    await requestRow(account, Date.now(), crypto.randomUUID(), { name: 'Анна', match_method: 'default', default_reason: 'ambiguous' }).run()
    const cookie = await cookieFor(account.id)
    const id = account.integrationId
    const paths = [
      '/app/integrations',
      '/app/integrations/new',
      `/app/integrations/${id}`,
      `/app/integrations/${id}/delete`,
      `/app/integrations/${id}/runs`,
      '/app/requests',
      '/app/requests?from=bad',
      '/app/deals',
      '/app/overview',
      '/app/sites',
      `/app/sites/${account.siteId}`,
      '/app/visits',
      '/app/nothing-here',
      `/app/integrations/not-mine`,
    ]
    const found: Record<string, string[]> = {}
    const statuses: number[] = []
    for (const path of paths) {
      const res = await call(path, { headers: { cookie } })
      statuses.push(res.status)
      const words = latinWords(await res.text())
      if (words.length > 0) found[path] = words
    }
    const signIn = await call('/app/sign-in')
    const refused = await call('/app/sign-in', {
      method: 'POST',
      headers: { 'content-type': FORM, origin: BASE },
      body: new URLSearchParams({ token: 'not-a-token' }).toString(),
    })
    for (const [name, res] of [['sign-in', signIn], ['sign-in refused', refused]] as const) {
      const words = latinWords(await res.text())
      if (words.length > 0) found[name] = words
    }
    const saved = await call(`/app/integrations/${id}`, {
      method: 'POST',
      headers: { 'content-type': FORM, origin: BASE, cookie },
      body: new URLSearchParams({ uid: 'online-x.medods.ru', identity: 'x'.repeat(300) }).toString(),
    })
    const words = latinWords(await saved.text()).filter((w) => !/^x+$/.test(w))
    if (words.length > 0) found['refused save'] = words
    expect(statuses).toEqual([...Array(paths.length - 2).fill(200), 404, 404])
    expect(found).toEqual({})
  })
})
