import { describe, expect, it } from 'vitest'
import { contactHashes, normalizePhone } from '../../widget/src/hash'
import { advanceVisit, SESSION_IDLE_MS, type VisitState } from '../../widget/src/session'
import type { WireTouch } from '../../widget/src/wire'

const T0 = 1_750_000_000_000
const MIN = 60_000

const touch = (t: WireTouch['t'], s: string, extra: Partial<WireTouch> = {}): WireTouch => ({
  t,
  s,
  m: { utm: 'cpc', organic: 'organic', referral: 'referral', direct: '(none)' }[t],
  c: '',
  o: '',
  e: '',
  i: '',
  l: 'https://clinic.ru/',
  r: '',
  a: T0,
  ...extra,
})
const UTM = touch('utm', 'yandex', { c: 'implants' })
const UTM2 = touch('utm', 'vk', { c: 'spring' })
const ORGANIC = touch('organic', 'google')
const REFERRAL = touch('referral', 'prodoctorov.ru')
const DIRECT = touch('direct', '(direct)')

function ids() {
  let n = 0
  return () => `id-${++n}`
}

/** Runs touches at the given minutes after T0 and returns every state. */
function walk(steps: [minute: number, touch: WireTouch][]): VisitState[] {
  const newId = ids()
  let state: Partial<VisitState> = {}
  return steps.map(([minute, t]) => (state = advanceVisit(state, t, T0 + minute * MIN, newId)))
}

describe('session rules', () => {
  it('a first visit sets visitor, session, first and current touch', () => {
    const [s] = walk([[0, UTM]])
    expect(s).toEqual({ v: 'id-1', s: 'id-2', b: T0, x: T0, f: UTM, c: UTM })
  })

  it('the first touch is write-once', () => {
    const states = walk([
      [0, REFERRAL],
      [5, UTM],
      [90, ORGANIC],
    ])
    expect(states.map((s) => s.f)).toEqual([REFERRAL, REFERRAL, REFERRAL])
  })

  it('utm and organic always replace the current touch, and start a new session', () => {
    const [a, b, c] = walk([
      [0, DIRECT],
      [1, UTM],
      [2, ORGANIC],
    ])
    expect([b!.c, c!.c]).toEqual([UTM, ORGANIC])
    expect(new Set([a!.s, b!.s, c!.s]).size).toBe(3)
  })

  it('a referral replaces the current touch only when no session is open', () => {
    const [a, inside, later] = walk([
      [0, UTM],
      [10, REFERRAL],
      [10 + 31, REFERRAL],
    ])
    expect(inside!.c).toBe(UTM)
    expect(inside!.s).toBe(a!.s)
    expect(later!.c).toBe(REFERRAL)
    expect(later!.s).not.toBe(a!.s)
  })

  it('direct never replaces the current touch, even in a new session', () => {
    const [a, next, after] = walk([
      [0, UTM],
      [5, DIRECT],
      [100, DIRECT],
    ])
    expect([next!.c, after!.c]).toEqual([UTM, UTM])
    expect(next!.s).toBe(a!.s)
    expect(after!.s).not.toBe(a!.s)
  })

  it('direct is the current touch only when nothing else is known', () => {
    expect(walk([[0, DIRECT]])[0]!.c).toBe(DIRECT)
  })

  it('the session slides: activity every 20 minutes keeps it open past 30', () => {
    const states = walk([
      [0, UTM],
      [20, DIRECT],
      [40, DIRECT],
      [60, DIRECT],
    ])
    expect(new Set(states.map((s) => s.s)).size).toBe(1)
    expect(states.map((s) => s.x)).toEqual([0, 20, 40, 60].map((m) => T0 + m * MIN))
    expect(states[3]!.b).toBe(T0)
  })

  it('30 idle minutes end the session; the visitor stays', () => {
    const newId = ids()
    const first = advanceVisit({}, UTM, T0, newId)
    const justBefore = advanceVisit(first, DIRECT, T0 + SESSION_IDLE_MS - 1, newId)
    const after = advanceVisit(justBefore, DIRECT, justBefore.x + SESSION_IDLE_MS, newId)
    expect(justBefore.s).toBe(first.s)
    expect(after.s).not.toBe(first.s)
    expect(after.v).toBe(first.v)
    expect(after.b).toBe(after.x)
  })

  it('reloading a landing page repeats its campaign: same session, first landing kept', () => {
    const again = { ...UTM, a: T0 + MIN, l: 'https://clinic.ru/?reload' }
    const [a, b] = walk([
      [0, UTM],
      [1, again],
    ])
    expect(b!.s).toBe(a!.s)
    expect(b!.c).toBe(UTM)
  })

  it('a different campaign inside an open session starts a new session', () => {
    const [a, b] = walk([
      [0, UTM],
      [3, UTM2],
    ])
    expect(b!.s).not.toBe(a!.s)
    expect(b!.c).toBe(UTM2)
    expect(b!.f).toBe(UTM)
  })

  it('an open session from the shared cookie survives a subdomain without stored touches', () => {
    const cookieOnly = { v: 'v1', s: 's1', b: T0, x: T0 + MIN }
    const next = advanceVisit(cookieOnly, DIRECT, T0 + 2 * MIN, ids())
    expect(next).toMatchObject({ v: 'v1', s: 's1', b: T0, f: DIRECT, c: DIRECT })
  })
})

describe('contact normalisation and hashing', () => {
  it.each([
    ['8 (999) 555-11-11', '79995551111'],
    ['+7 999 555 11 11', '79995551111'],
    ['9995551111', '79995551111'],
    ['8 800 555-35-35', '78005553535'],
    ['+7 (812) 000-00-00', '78120000000'],
    ['+1 212 555 0100', ''],
    ['555-11-11', ''],
  ])('phone %s → %s', (raw, e164) => expect(normalizePhone(raw)).toBe(e164))

  it('sends SHA-256 of the normalised phone and of the trimmed lower-case email (attribution.md §13)', async () => {
    const hashes = await contactHashes({ phone: '8 999 555-11-11', email: '  Mail@Yandex.RU ' })
    expect(hashes).toEqual([
      'p:22846ab8f79870871eb44f653419a4a5069301827d8ae75b6c2a88e4989a364e',
      `e:${await sha256('mail@yandex.ru')}`,
    ])
  })

  it('hashes nothing that is not a phone or an email', async () => {
    expect(await contactHashes({ phone: '12', email: 'not-an-email' })).toEqual([])
  })
})

async function sha256(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Buffer.from(digest).toString('hex')
}
