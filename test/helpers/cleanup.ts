import { afterEach } from 'vitest';

/**
 * Things a test starts (clients, temp dirs, child processes) stopped after each test, last
 * started first. Call once at the top of a test file; it registers its own afterEach.
 * `ignoreErrors`: a stop that fails (an interop client already gone) does not fail the test.
 */
export function cleanupAfterEach(o: { ignoreErrors?: boolean } = {}): (stop: () => Promise<unknown>) => void {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    // Every cleanup runs even if one fails; the first failure is reported unless ignored.
    let first: unknown;
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => (first ??= e));
    if (first !== undefined && !o.ignoreErrors) throw first;
  });
  return (stop) => void cleanups.push(stop);
}
