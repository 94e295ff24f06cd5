import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseScenario, parseScenarioText, estimateBound } from '../../../src/lab/scenario.ts';
import { scenarioFromFlags } from '../../../src/lab/scenario-flags.ts';
import { SWEEP_SCENARIO, DEMO_SCENARIO, SWEEP_NS } from '../../../src/lab/scenario-defaults.ts';
import { makePlan } from '../../../src/lab/plan.ts';
import { parseRate, parseSize, parseDuration, formatBytes } from '../../../src/lab/units.ts';
import { ConfigError } from '../../../src/errors.ts';

const base = SWEEP_SCENARIO;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('units', () => {
  it('reads sizes, rates and durations', () => {
    expect(parseSize('4MiB')).toBe(4 * 1024 * 1024);
    expect(parseSize('4M')).toBe(4 * 1024 * 1024);
    expect(parseSize('4MB')).toBe(4_000_000);
    expect(parseSize(123)).toBe(123);
    expect(parseRate('2M')).toBe(2 * 1024 * 1024);
    expect(parseRate('512K/s')).toBe(512 * 1024);
    expect(parseRate('unlimited')).toBe(Infinity);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration(7)).toBe(7);
    expect(formatBytes(2.5 * 1024 * 1024)).toBe('2.50 MiB');
    expect(() => parseSize('4 parsecs')).toThrow(ConfigError);
    expect(() => parseRate('-1M')).toThrow(ConfigError);
    expect(() => parseDuration('soon')).toThrow(ConfigError);
  });
  it('fuzz: parsers only ever throw ConfigError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (v) => {
        for (const f of [parseSize, parseRate, parseDuration]) {
          try {
            f(v);
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
          }
        }
      }),
    );
  });
});

describe('embedded defaults', () => {
  it('validate as they stand', () => {
    expect(parseScenario({}, SWEEP_SCENARIO)).toEqual(SWEEP_SCENARIO);
    expect(parseScenario({}, DEMO_SCENARIO)).toEqual(DEMO_SCENARIO);
  });
  it('keep the textbook ratios: u_s = 10u, d_min ≥ u_s', () => {
    const { serverUp, peerUp, peerDown } = SWEEP_SCENARIO;
    expect(peerUp.kind === 'fixed' && serverUp / peerUp.value).toBe(10);
    expect(peerDown.kind === 'fixed' && peerDown.value >= serverUp).toBe(true);
  });
  it('the whole sweep (both modes) is bounded by about 4 minutes', () => {
    let total = 0;
    for (const n of SWEEP_NS) for (const mode of ['client-server', 'p2p'] as const) total += estimateBound({ ...SWEEP_SCENARIO, n, mode }).seconds;
    expect(total).toBeGreaterThan(200);
    expect(total).toBeLessThan(260);
  });
  it('the demo contrasts 32 s client-server with 6.4 s P2P', () => {
    expect(estimateBound({ ...DEMO_SCENARIO, mode: 'client-server' }).seconds).toBeCloseTo(32, 6);
    expect(estimateBound(DEMO_SCENARIO).seconds).toBeCloseTo(6.4, 6);
  });
});

describe('parseScenario', () => {
  it('reads a full file with units and distributions', () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: 'hetero',
        mode: 'p2p',
        n: 20,
        fileBytes: '8MiB',
        pieceBytes: '32K',
        serverUp: '4M',
        peerUp: { uniform: ['128K', '512K'] },
        peerDown: { choice: ['1M', '4M'] },
        join: { every: '100ms' },
        departAfterCompletion: true,
        freeRiders: 0.25,
        churn: { meanSession: '5s', meanOffline: '1s' },
        discovery: 'both',
        picker: 'random',
        choker: 'unchoke-all',
        repeats: 5,
        seed: 42,
      }),
      base,
    );
    expect(s.fileBytes).toBe(8 * 1024 * 1024);
    expect(s.peerUp).toEqual({ kind: 'uniform', min: 128 * 1024, max: 512 * 1024 });
    expect(s.join).toEqual({ kind: 'staggered', everyMs: 100 });
    expect(s.churn).toEqual({ meanSessionMs: 5000, meanOfflineMs: 1000 });
  });

  it('N = 0 and negative rates are refused, all problems listed at once', () => {
    const msg = errorOf(() => parseScenario({ n: 0, serverUp: -5, peerUp: -1 }, base));
    expect(msg).toMatch(/n \(number of peers\) must be an integer from 1/);
    expect(msg).toMatch(/serverUp/);
    expect(msg).toMatch(/peerUp must be ≥ 0/);
  });

  it('unknown keys are listed by name, nested ones too', () => {
    const msg = errorOf(() => parseScenario({ peers: 3, uploadRate: 1, churn: { meanSession: 1, meanOffline: 1, rate: 2 } }, base));
    expect(msg).toMatch(/unknown keys in scenario: peers, uploadRate/);
    expect(msg).toMatch(/unknown key in churn: rate/);
  });

  it('refuses scenarios that would take hours, unless forced', () => {
    const slow = { n: 128, mode: 'client-server', fileBytes: '1GiB', serverUp: '1M' };
    expect(errorOf(() => parseScenario(slow, base))).toMatch(/would take at least .* h .*--force/);
    expect(parseScenario(slow, base, { force: true }).n).toBe(128);
    // a tiny download rate is caught through F/d_min
    expect(errorOf(() => parseScenario({ peerDown: '10' }, base))).toMatch(/slowest-download/);
    // repeats multiply the estimate
    expect(errorOf(() => parseScenario({ mode: 'client-server', n: 128, repeats: 20 }, base))).toMatch(/20 ×/);
  });

  it.each([
    [{ mode: 'mesh' }, /mode must be one of client-server, p2p/],
    [{ pieceBytes: 1000 }, /power of two/],
    [{ freeRiders: 2 }, /fraction/],
    [{ join: [0, 1] }, /join lists 2 times but n is 8/],
    [{ peerUp: { uniform: ['1M', '1K'] } }, /min .* is above max/],
    [{ peerUp: { poisson: 3 } }, /unknown key in peerUp: poisson/],
    [{ discovery: 'mdns' }, /discovery must be one of/],
    [{ repeats: 0 }, /repeats/],
    [{ n: 2.5 }, /integer/],
    [{ fileBytes: 0 }, /at least 1 byte/],
    [{ peerDown: 0 }, /peerDown must be > 0/],
    [{ name: '../x' }, /name must be/],
  ])('%j → %s', (input, re) => {
    expect(errorOf(() => parseScenario(input, base))).toMatch(re);
  });

  it('bad JSON and non-objects are clear errors', () => {
    expect(errorOf(() => parseScenarioText('{n: 3', base))).toMatch(/not valid JSON/);
    expect(errorOf(() => parseScenario([1], base))).toMatch(/JSON object/);
  });

  it('fuzz: any JSON value yields a scenario or a ConfigError', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('n', 'mode', 'peerUp', 'join', 'churn', 'fileBytes', 'x', 'freeRiders'), fc.jsonValue()), (obj) => {
        try {
          const s = parseScenario(obj, base);
          expect(s.n).toBeGreaterThanOrEqual(1);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('scenarioFromFlags', () => {
  it('maps flag strings through the same validator', () => {
    const s = scenarioFromFlags({ n: '16', mode: 'client-server', peerUp: 'uniform:128K:256K', join: 'every:50ms', depart: true, churn: '3s:1s' }, base);
    expect(s.n).toBe(16);
    expect(s.mode).toBe('client-server');
    expect(s.peerUp).toEqual({ kind: 'uniform', min: 131072, max: 262144 });
    expect(s.join).toEqual({ kind: 'staggered', everyMs: 50 });
    expect(s.departAfterCompletion).toBe(true);
    expect(s.churn).toEqual({ meanSessionMs: 3000, meanOfflineMs: 1000 });
  });
  it('gives the file validator’s errors for bad flags', () => {
    expect(errorOf(() => scenarioFromFlags({ n: '0' }, base))).toMatch(/n \(number of peers\)/);
    expect(errorOf(() => scenarioFromFlags({ n: 'many' }, base))).toMatch(/--n expects a number/);
    expect(errorOf(() => scenarioFromFlags({ peerUp: 'gamma:1:2' }, base))).toMatch(/--peerUp expects/);
  });
});

describe('makePlan', () => {
  const hetero = parseScenario({ n: 50, peerUp: { normal: { mean: '256K', sd: '128K' } }, freeRiders: 0.2, join: { poisson: '100ms' }, churn: { meanSession: '2s', meanOffline: '1s' } }, base);
  it('is deterministic per seed and varies across seeds', () => {
    expect(makePlan(hetero)).toEqual(makePlan(hetero));
    expect(makePlan(hetero, 2).peers.map((p) => p.up)).not.toEqual(makePlan(hetero, 3).peers.map((p) => p.up));
  });
  it('draws free riders, positive rates, increasing joins and ordered churn', () => {
    const plan = makePlan(hetero);
    expect(plan.peers.filter((p) => p.freeRider)).toHaveLength(10);
    for (const p of plan.peers) {
      expect(p.freeRider ? p.up === 0 : p.up > 0).toBe(true);
      for (const [leave, back] of p.offline) expect(back).toBeGreaterThan(leave);
      expect(p.offline[0]?.[0] ?? Infinity).toBeGreaterThan(p.joinAtMs);
    }
    const joins = plan.peers.map((p) => p.joinAtMs);
    expect(joins).toEqual([...joins].sort((a, b) => a - b));
    // the plan's bound counts the riders' zero uploads
    expect(plan.bound.seconds).toBeGreaterThan(0);
  });
  it('uniform draws stay inside [min, max]', () => {
    const s = parseScenario({ n: 200, peerUp: { uniform: ['100K', '200K'] } }, base);
    for (const p of makePlan(s).peers) {
      expect(p.up).toBeGreaterThanOrEqual(100 * 1024);
      expect(p.up).toBeLessThanOrEqual(200 * 1024);
    }
  });
});
