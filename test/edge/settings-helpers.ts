import { api } from './helpers'

export type Reply<T = any> = { status: number; text: string; body: T }

/** Every raw response body a test file saw, so it can assert what never appears in any of them. */
export const seenBodies: string[] = []

/** Calls the Worker as `accountId` with a JSON body and keeps the raw text of the answer. */
export async function send<T = any>(
  accountId: string,
  method: string,
  path: string,
  body?: unknown
): Promise<Reply<T>> {
  const init: RequestInit = { method }
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await api(accountId, path, init)
  const text = await res.text()
  seenBodies.push(text)
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined }
}

export const errorMessage = (reply: Reply): string => reply.body.error.message

/** A 64-hex SecretKey like the ones in Medods key files. */
export const randomSecret = () =>
  [...crypto.getRandomValues(new Uint8Array(32))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
