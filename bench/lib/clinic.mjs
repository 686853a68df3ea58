// A clinic for the benches: the Medods sandbox in this process, and an account with a site, campaigns and
// a Medods integration created through the Worker's own cabinet API.
import path from 'node:path'
import { build } from 'esbuild'
import { SignJWT } from 'jose'

const ROOT = path.resolve(import.meta.dirname, '../..')
export const SANDBOX_UID = 'http://127.0.0.1:8788/'

/** The TypeScript sandbox, bundled in memory and imported (as scripts/medods-sandbox.mjs does). */
export async function loadSandboxModule() {
  const { outputFiles } = await build({
    entryPoints: [path.join(ROOT, 'sandbox/medods/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'error',
  })
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString('base64')}`)
}

/**
 * The Worker's outgoing fetches answered by `sandbox` (any host: the integration's UID points at it).
 * `stats.ms` is the time spent inside the sandbox, so the bridge's own share of an import can be told apart.
 */
export function sandboxOutbound(sandbox) {
  const stats = { requests: 0, ms: 0 }
  const handler = async (request) => {
    const started = performance.now()
    const url = new URL(request.url)
    const local = new Request(`http://127.0.0.1:8788${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' ? undefined : await request.text(),
    })
    const response = await sandbox.app.fetch(local)
    const body = await response.arrayBuffer()
    stats.requests++
    stats.ms += performance.now() - started
    return new Response(body, { status: response.status, headers: response.headers })
  }
  return { handler, stats }
}

/** `send(method, path, body)` to the cabinet API as `account`, with a token signed like the cabinet's. */
export async function cabinet(url, jwtSecret, account) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(account)
    .setIssuedAt()
    .setExpirationTime('1d')
    .sign(new TextEncoder().encode(jwtSecret))
  return async (method, route, body) => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = await response.json()
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`)
    return json
  }
}

/** An account with the site clinic.ru, a catch-all default campaign and an integration sending requests. */
export async function setUpClinic(worker, { account = 'bench-clinic', demoKey, campaigns = [], settings = {} }) {
  const send = await cabinet(worker.url, worker.bindings.CABINET_JWT_SECRET, account)
  const site = await send('POST', '/api/v1/sites', { name: 'Клиника', domain: 'clinic.ru' })
  for (const campaign of campaigns) await send('POST', '/api/v1/campaigns', campaign)
  const fallback = await send('POST', '/api/v1/campaigns', { name: 'Без сессии' })
  const integration = await send('POST', '/api/v1/integrations', {
    uid: SANDBOX_UID,
    identity: demoKey.identity,
    secretKey: demoKey.secretKey,
    sendRequests: true,
    defaultAttribution: { kind: 'campaign', campaignId: fallback.id },
    ...settings,
  })
  return { send, siteId: site.id, siteKey: site.siteKey, fallbackId: fallback.id, integrationId: integration.id }
}

/** `count` more sites of the clinic's account (clinic.ru too, so the same pages fit every one). */
export async function addSites(clinic, count) {
  const added = []
  for (let k = 0; k < count; k++) {
    added.push(await clinic.send('POST', '/api/v1/sites', { name: `Клиника ${k + 2}`, domain: 'clinic.ru' }))
  }
  return added.map((site) => ({ siteId: site.id, siteKey: site.siteKey }))
}

/**
 * Puts the sites on the worker's shards in turn (0, 1, 0, …), whatever the API chose, so a bench's spread
 * does not hang on the shards' sizes. Only before the sites have visits: their rows are not moved.
 */
export async function spreadSites(worker, siteIds) {
  const shards = worker.visits.length
  await worker.db.batch(
    siteIds.map((id, k) => worker.db.prepare('UPDATE sites SET shard = ? WHERE id = ?').bind(k % shards, id))
  )
  return siteIds.map((_, k) => k % shards)
}

/** Where the API placed each site (its `shard` in the main database). */
export async function shardsOf(worker, siteIds) {
  const placed = []
  for (const id of siteIds) placed.push((await worker.db.prepare('SELECT shard FROM sites WHERE id = ?').bind(id).first()).shard)
  return placed
}
