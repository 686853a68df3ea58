import { z } from 'zod'

/** SECRETS_KEY encrypts Medods SecretKeys (edge/crypto/secrets.ts): a wrong one must stop the Worker. */
function isAesKey(value: string): boolean {
  try {
    return atob(value).length === 32
  } catch {
    return false
  }
}

/** Secrets and vars the Worker cannot run without; checked once per isolate so a bad deploy fails loudly. */
const envSchema = z.object({
  DB: z.custom<D1Database>((v) => typeof v === 'object' && v !== null, 'D1 binding missing'),
  // The first visits shard; VISITS_1 and on are optional (edge/db/shards.ts).
  VISITS_0: z.custom<D1Database>((v) => typeof v === 'object' && v !== null, 'D1 binding missing'),
  IMPORTS: z.custom<Queue>((v) => typeof v === 'object' && v !== null, 'Queue binding missing'),
  INGEST: z.custom<Queue>((v) => typeof v === 'object' && v !== null, 'Queue binding missing'),
  CABINET_JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  SECRETS_KEY: z.string().refine(isAesKey, 'must be base64 of 32 bytes (AES-256 key)'),
  CONTACT_HASH_KEY: z.string().min(16, 'must be at least 16 characters'),
})

const checked = new WeakSet<object>()

export function assertEnv(env: Env): void {
  if (checked.has(env)) return
  const result = envSchema.safeParse(env)
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(`Worker misconfigured: ${fields}`)
  }
  checked.add(env)
}
