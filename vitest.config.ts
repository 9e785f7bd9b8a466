import { defineConfig } from 'vitest/config'

// Tests start real servers, git and child processes: forks isolate them, and the generous timeouts are
// safety nets for a busy 2-core machine, never a way to synchronise.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
