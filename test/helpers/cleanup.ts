import { afterEach } from 'vitest';

/**
 * Things a test starts (clients, temp dirs, child processes) stopped after each test, last
 * started first. Call once at the top of a test file; it registers its own afterEach.
 */
export function cleanupAfterEach(): (stop: () => Promise<unknown>) => void {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return (stop) => void cleanups.push(stop);
}
