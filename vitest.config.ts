import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when it is stale, so e2e tests never run an old CLI (a no-op under `npm test`).
    globalSetup: ['test/helpers/global-setup.ts'],
    // Real sockets and spawned processes: keep suites in separate forks, bounded for a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
