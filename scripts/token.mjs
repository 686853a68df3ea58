// npm run token -- <accountId> [ttl]: prints a cabinet token valid for the local Worker.
import { localToken } from './local-env.mjs'

const [accountId, ttl = '30d'] = process.argv.slice(2)
if (!accountId) {
  console.error('usage: npm run token -- <accountId> [ttl, e.g. 30d or 1h]')
  process.exit(2)
}
console.log(await localToken(accountId, ttl))
