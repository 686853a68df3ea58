export type AppEnv = {
  Bindings: Env
  Variables: {
    requestId: string
    /** The cabinet account id (`sub` of the verified JWT); set by `requireAccount`. */
    accountId: string
  }
}
