import { vi } from 'vitest'
import { createMedodsClient, type MedodsClientOptions } from '../../../edge/medods/client'
import {
  createMedodsSandbox,
  DEMO_KEY,
  type MedodsSandbox,
  type SandboxOptions,
} from '../../../sandbox/medods'

/** Where tests pretend the sandbox lives; the UID allow-list accepts it with `allowLocal`. */
export const SANDBOX_ORIGIN = 'http://127.0.0.1:8788'
export const SANDBOX_UID = `${SANDBOX_ORIGIN}/`

type Handler = (request: Request) => Response | Promise<Response>

/**
 * A `fetch` that delivers requests for the sandbox origin (and any extra `hosts`) to those apps in
 * memory; any other host fails as an unreachable one does, with a TypeError.
 */
export function sandboxFetch(
  sandbox: MedodsSandbox,
  hosts: Record<string, Handler> = {}
): typeof fetch {
  const routes: Record<string, Handler> = {
    [SANDBOX_ORIGIN]: (r) => sandbox.app.fetch(r),
    ...hosts,
  }
  return async (input, init) => {
    const request = new Request(input, init)
    const handler = routes[new URL(request.url).origin]
    if (!handler) throw new TypeError(`Network connection lost (${new URL(request.url).host})`)
    return handler(request)
  }
}

/** Routes the Worker's global fetch like `sandboxFetch`; undo with `vi.restoreAllMocks()` after each test. */
export function routeGlobalFetch(sandbox: MedodsSandbox, hosts: Record<string, Handler> = {}) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(sandboxFetch(sandbox, hosts))
}

/** A sleep that returns at once and remembers each wait, so retry tests run instantly. */
export function recordingSleep() {
  const waits: number[] = []
  const sleep = async (ms: number) => {
    waits.push(ms)
  }
  return { waits, sleep }
}

/** A fresh sandbox and a client of its demo key, wired together in memory. */
export function sandboxClient(
  sandboxOptions: SandboxOptions = {},
  clientOptions: Partial<MedodsClientOptions> = {},
  key = DEMO_KEY
) {
  const sandbox = createMedodsSandbox(sandboxOptions)
  const { waits, sleep } = recordingSleep()
  const client = createMedodsClient(
    { uid: SANDBOX_UID, identity: key.identity, secretKey: key.secretKey },
    { allowLocal: true, fetch: sandboxFetch(sandbox), sleep, ...clientOptions }
  )
  return { sandbox, client, waits }
}

/** Collects every page of a list. */
export async function allPages<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const page of pages) out.push(page)
  return out
}
