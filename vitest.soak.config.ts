import { defineConfig } from 'vitest/config'

// `npm run test:soak`: the long fault soak, never part of `npm test` (whose include is
// test/**/*.test.{ts,tsx}). Bounded: the soak's own phases end well inside this timeout.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    environment: 'node',
    testTimeout: 290_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Figures are printed with console.log: show them as they come.
    silent: false,
  },
})
