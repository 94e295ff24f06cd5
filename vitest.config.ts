import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/fast-check-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: interop tests run real clients; keep the pool small so timing-sensitive
    // throttle and swarm tests are not starved.
    pool: 'forks',
    maxWorkers: 2,
  },
});
