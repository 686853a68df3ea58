import { defineConfig } from 'drizzle-kit'

// The visits shards' schema (edge/db/schema/visits.ts) and its migrations, applied to every VISITS_n.
export default defineConfig({
  dialect: 'sqlite',
  schema: './edge/db/schema/visits.ts',
  out: './migrations-visits',
})
