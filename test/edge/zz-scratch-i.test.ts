import { env, exports } from 'cloudflare:workers'
import { it, vi } from 'vitest'
import { BROWSER_UA, payload, seedSite } from './collect-fixtures'
import { BASE } from './helpers'

const post = async (ip: string) => {
  const res = await exports.default.fetch(`${BASE}/c`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': BROWSER_UA, 'cf-connecting-ip': ip },
    body: JSON.stringify(payload({ k: 'key-s' })),
  })
  await res.body?.cancel()
  return res.status
}
const wave = async (label: string, n: number) => {
  const t = Date.now()
  await Promise.all(Array.from({ length: n }, (_, i) => (async () => { for (let j = 0; j < 3; j++) await post(`2.${label.length}.${i}.${j}`) })()))
  console.log(label, n, Date.now() - t)
}
it('times', async () => {
  await seedSite('site-s', 'key-s', 'clinic.ru')
  for (let k = 0; k < 4; k++) await wave('w20-' + k, 20)
  await wave('w40', 40)
  await wave('w60', 60)
  await wave('w80', 80)
  for (let k = 0; k < 3; k++) await wave('w20-' + k, 20)
}, 300000)
