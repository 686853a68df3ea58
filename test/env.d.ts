declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[]
      TEST_VISITS_MIGRATIONS: D1Migration[]
      /** Multiplies the load test's size; `npm run bench` sets it, `npm test` leaves it at 1. */
      LOAD_SCALE?: string
    }
    interface GlobalProps {
      mainModule: typeof import('../edge/index')
    }
  }
}
export {}
