// The demo clinic's Medods integration, created through the Worker's own API (it encrypts the
// SecretKey) after the Worker is up. Creates only what is missing, so a second start changes nothing.

export const DEMO_CAMPAIGN = {
  name: 'Яндекс Директ — демо',
  utmSource: 'yandex',
  utmMedium: 'cpc',
  utmCampaign: 'demo',
}
export const DEFAULT_CAMPAIGN = { name: 'Онлайн-запись без визита' }
export const DEMO_UTM = 'utm_source=yandex&utm_medium=cpc&utm_campaign=demo'

function cabinetApi(origin, token) {
  return async (path, body) => {
    const res = await fetch(`${origin}/api/v1${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    })
    if (!res.ok) throw new Error(`demo seed: ${path} answered ${res.status} ${await res.text()}`)
    return res.json()
  }
}

async function ensureCampaign(api, campaign) {
  const { data } = await api('/campaigns?limit=200')
  return data.find((c) => c.name === campaign.name) ?? (await api('/campaigns', campaign))
}

/** Returns the demo integration (found or created) pointing at the sandbox at `medods.url`. */
export async function seedDemoIntegration(origin, token, medods) {
  const api = cabinetApi(origin, token)
  await ensureCampaign(api, DEMO_CAMPAIGN)
  const fallback = await ensureCampaign(api, DEFAULT_CAMPAIGN)
  const uid = new URL(medods.url).origin
  const { data } = await api('/integrations?limit=200')
  return (
    data.find((i) => i.uid === uid) ??
    (await api('/integrations', {
      uid: medods.url,
      identity: medods.identity,
      secretKey: medods.secretKey,
      sendRequests: true,
      defaultAttribution: { kind: 'campaign', campaignId: fallback.id },
      // The demo's one visitor books through the drawer: the window rung (on by default) matches it.
      bookingWindowRung: 'on',
    }))
  )
}
