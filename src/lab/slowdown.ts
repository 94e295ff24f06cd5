/**
 * Slowing a scenario down: every rate divided by k and every scheduled time multiplied by k.
 * The fluid model is unchanged (all bounds scale by exactly k, the ratio does not move), but the
 * machine carries 1/k of the traffic per second. A 2-core machine runs about 42 emulated hosts
 * at the sweep's rates before its CPU, not the emulated links, sets the pace (measured: N = 128 at
 * full rates 2.06 × the bound, at ¼ rates 1.11), so the sweep runs P2P points above 32 peers
 * at 1/k rates and reports their times divided by k: in units of the base rates, as the textbook
 * plots in units of F/u. Pure.
 */
import type { RateDist, Scenario } from './scenario.ts';

/** Peers the sweep runs at full rates; above, P2P points are slowed by N / this. */
export const FULL_RATE_PEERS = 32;

export function autoSlowdown(n: number): number {
  return Math.max(1, n / FULL_RATE_PEERS);
}

function slowRate(d: RateDist, k: number): RateDist {
  switch (d.kind) {
    case 'fixed':
      return { kind: 'fixed', value: d.value / k };
    case 'uniform':
      return { kind: 'uniform', min: d.min / k, max: d.max / k };
    case 'normal':
      return { kind: 'normal', mean: d.mean / k, sd: d.sd / k };
    case 'choice':
      return { kind: 'choice', values: d.values.map((v) => v / k) };
  }
}

export function slowedDown(s: Scenario, k: number): Scenario {
  if (!(k >= 1) || !Number.isFinite(k)) throw new RangeError(`slowdown must be a finite number ≥ 1, got ${k}`);
  if (k === 1) return s;
  const join = s.join;
  return {
    ...s,
    serverUp: s.serverUp / k,
    peerUp: slowRate(s.peerUp, k),
    peerDown: slowRate(s.peerDown, k),
    join:
      join.kind === 'staggered'
        ? { kind: 'staggered', everyMs: join.everyMs * k }
        : join.kind === 'poisson'
          ? { kind: 'poisson', meanGapMs: join.meanGapMs * k }
          : join.kind === 'list'
            ? { kind: 'list', atMs: join.atMs.map((t) => t * k) }
            : join,
    churn: s.churn ? { meanSessionMs: s.churn.meanSessionMs * k, meanOfflineMs: s.churn.meanOfflineMs * k } : null,
  };
}
