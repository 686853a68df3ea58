// The D1 schema, the single source of truth for drizzle queries and drizzle-kit migrations, by feature.
export * from './catalogue'
export * from './collect'
export * from './deals'
export * from './imports'
export * from './integrations'
export * from './touch'
export * from './page-sessions'
