import { defineConfig } from 'vitest/config';

/**
 * CPU-heavy, timing-sensitive files: whole swarms, a 200-node ring, worker processes. They run
 * one at a time after everything else, so none is starved by another (a 200-node churn test
 * sharing 2 cores with a lab swarm saw RPCs to live nodes time out: 96 of 100 lookups).
 */
const ALONE = ['test/integration/dht/churn.test.ts', 'test/integration/dht/durability.test.ts', 'test/integration/swarm/*.test.ts', 'test/integration/lab/p2p.test.ts', 'test/integration/lab/kernel-shaping.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/helpers/fast-check-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: interop tests run real clients; keep the pool small so timing-sensitive
    // throttle and swarm tests are not starved.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ALONE, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
