import { describe, expect, it } from 'vitest'
import { WIDGET_ETAG, WIDGET_JS } from '../../edge/collect/widget-bundle.generated'
import { call } from './helpers'

describe('GET /w.js', () => {
  it('serves the built widget as cacheable, cross-origin JavaScript', async () => {
    const res = await call('/w.js', { headers: { Origin: 'https://www.clinic.ru' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8')
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=3600/)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('etag')).toBe(WIDGET_ETAG)
    const body = await res.text()
    expect(body).toBe(WIDGET_JS)
    expect(body).toContain('mbridge')
    expect(body.length).toBeGreaterThan(1000)
  })

  it('answers 304 without a body when the cached copy is current', async () => {
    const res = await call('/w.js', { headers: { 'If-None-Match': WIDGET_ETAG } })
    expect(res.status).toBe(304)
    expect(await res.text()).toBe('')
    const stale = await call('/w.js', { headers: { 'If-None-Match': '"old"' } })
    expect(stale.status).toBe(200)
  })

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, unknown> }
    expect(doc.paths['/w.js']).toHaveProperty('get')
  })
})
