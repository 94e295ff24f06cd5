import { describe, expect, it } from 'vitest';
import { makePlan } from '../../../src/lab/plan.ts';
import { sweepPoints, type RunResult } from '../../../src/lab/results.ts';
import { parseScenario } from '../../../src/lab/scenario.ts';
import { SWEEP_SCENARIO } from '../../../src/lab/scenario-defaults.ts';
import { autoSlowdown, slowedDown } from '../../../src/lab/slowdown.ts';

describe('slowing a scenario down', () => {
  it('divides every rate and multiplies every scheduled time by k', () => {
    const s = parseScenario({ n: 8, serverUp: '2M', peerUp: { uniform: ['100K', '300K'] }, peerDown: { choice: ['1M', '2M'] }, join: { every: '200ms' }, churn: { meanSession: '5s', meanOffline: '2s' } }, SWEEP_SCENARIO);
    const slow = slowedDown(s, 4);
    expect(slow.serverUp).toBe(s.serverUp / 4);
    expect(slow.peerUp).toEqual({ kind: 'uniform', min: 25 * 1024, max: 75 * 1024 });
    expect(slow.peerDown).toEqual({ kind: 'choice', values: [256 * 1024, 512 * 1024] });
    expect(slow.join).toEqual({ kind: 'staggered', everyMs: 800 });
    expect(slow.churn).toEqual({ meanSessionMs: 20_000, meanOfflineMs: 8000 });
    expect(slowedDown(s, 1)).toBe(s);
    expect(() => slowedDown(s, 0.5)).toThrow(RangeError);
  });

  it('leaves the ratio alone: the bound scales by exactly k, and sweep points are shown at base rates', () => {
    const s = parseScenario({ n: 64 }, SWEEP_SCENARIO);
    const k = autoSlowdown(64);
    expect(k).toBe(2);
    expect(autoSlowdown(16)).toBe(1);
    const base = makePlan(s).bound;
    const slow = makePlan(slowedDown(s, k)).bound;
    expect(slow.seconds).toBeCloseTo(k * base.seconds, 9);
    expect(slow.term).toBe(base.term);
    // A run measured at 1.1 × the slowed bound is reported as 1.1 × the base bound, in base seconds.
    const run = { mode: 'p2p', n: 64, distributionSeconds: 1.1 * slow.seconds, bound: slow, slowdown: k } as unknown as RunResult;
    const [p] = sweepPoints([run]);
    expect(p?.meanSeconds).toBeCloseTo(1.1 * base.seconds, 9);
    expect(p?.boundSeconds).toBeCloseTo(base.seconds, 9);
    expect(p?.ratio).toBeCloseTo(1.1, 9);
    expect(p?.slowdown).toBe(2);
  });
});
