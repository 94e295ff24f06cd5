import { describe, it, expect } from 'vitest';
import { runClientServer } from '../../../src/lab/run-client-server.ts';
import { makePlan } from '../../../src/lab/plan.ts';
import { parseScenario } from '../../../src/lab/scenario.ts';
import { SWEEP_SCENARIO } from '../../../src/lab/scenario-defaults.ts';

// N = 3, F = 256 KiB, u_s = 1 MiB/s: bound N·F/u_s = 0.75 s.
const scenario = parseScenario({ mode: 'client-server', n: 3, fileBytes: '256K', serverUp: '1M', peerDown: '4M' }, SWEEP_SCENARIO);

describe('runClientServer on loopback', () => {
  it('measures distribution time close to max{N·F/u_s, F/d_min}', async () => {
    const r = await runClientServer(makePlan(scenario), { sampleMs: 100 });
    expect(r.bound.seconds).toBeCloseTo(0.75, 9);
    expect(r.peers.every((p) => p.bytesDown === 256 * 1024)).toBe(true);
    // The bound must hold, and the shared throttle should get close to it (tolerant: CI load).
    expect(r.ratio).toBeGreaterThanOrEqual(0.98);
    expect(r.ratio).toBeLessThan(1.3);
    expect(r.utilisation.length).toBeGreaterThan(3);
  });

  it('is limited by the slowest downloader when d_min binds', async () => {
    const slow = parseScenario({ mode: 'client-server', n: 2, fileBytes: '128K', serverUp: '4M', peerDown: { choice: ['128K'] } }, SWEEP_SCENARIO);
    const r = await runClientServer(makePlan(slow));
    expect(r.bound.term).toBe('slowest-download');
    expect(r.ratio).toBeGreaterThanOrEqual(0.98);
    expect(r.ratio).toBeLessThan(1.3);
  });

  it('an abort stops every client and keeps the completions gathered so far', async () => {
    const staggered = parseScenario({ mode: 'client-server', n: 3, fileBytes: '64K', serverUp: '1M', join: [0, 0, 5000] }, SWEEP_SCENARIO);
    const ac = new AbortController();
    const t0 = performance.now();
    const run = runClientServer(makePlan(staggered), { signal: ac.signal, onComplete: () => undefined });
    setTimeout(() => ac.abort(), 600);
    const r = await run;
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.interrupted).toBe(true);
    expect(r.distributionSeconds).toBeNull();
    expect(r.peers.filter((p) => p.completedAtMs !== null)).toHaveLength(2);
  });

  it('refuses a P2P scenario', async () => {
    await expect(runClientServer(makePlan(SWEEP_SCENARIO))).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
