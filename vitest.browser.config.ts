import { defineConfig } from 'vitest/config'

// The browser tests drive the pages in a real headless Chromium (apt-get install -y chromium). They run
// apart from `npm test`, which excludes test/browser/**. The timeouts are safety nets for a busy machine.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
})
