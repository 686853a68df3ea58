// The D1 schema, the single source of truth for drizzle queries and drizzle-kit migrations, by feature.
export * from './catalogue'
export * from './deals'
export * from './imports'
export * from './integrations'
export * from './touch'
export * from './page-sessions'
// The visits shards have a schema of their own (./visits, migrations-visits/); only what is not a table is
// shared from it, so drizzle-kit never puts a shard's tables into the main database.
export {
  DRAWER_CLOSES,
  DRAWER_KINDS,
  EVENT_TYPES,
  type BookingDrawer,
  type NewBookingDrawer,
  type NewContactHash,
  type NewEvent,
  type NewSessionRow,
  type Session,
  type SessionRow,
} from './visits'
