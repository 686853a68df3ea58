// Local secrets: .dev.vars, created from the committed .dev.vars.example when missing.
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DEV_VARS = `${ROOT}.dev.vars`

export function ensureDevVars() {
  if (!existsSync(DEV_VARS)) {
    copyFileSync(`${ROOT}.dev.vars.example`, DEV_VARS)
    console.error('Created .dev.vars from .dev.vars.example')
  }
}

export function readDevVars() {
  ensureDevVars()
  const vars = {}
  for (const line of readFileSync(DEV_VARS, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line)
    if (match) vars[match[1]] = match[2]
  }
  return vars
}

/** A cabinet token for local use: HS256 under the local CABINET_JWT_SECRET, `sub` = the account id. */
export async function localToken(accountId, ttl = '30d') {
  const secret = readDevVars().CABINET_JWT_SECRET
  if (!secret) throw new Error('CABINET_JWT_SECRET is missing from .dev.vars')
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(accountId)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret))
}
