/**
 * Turns a scenario into a concrete plan: each peer's rates, join time, free-rider flag and churn
 * schedule, drawn from the scenario's seed so every repeat (and every machine) gets the same
 * peers. The runner carries the plan out; the bound is computed from the plan's actual draws.
 * Pure.
 */
import { seededRandom, type Random } from '../random.ts';
import { boundFor, type Bound } from './bounds.ts';
import type { RateDist, Scenario } from './scenario.ts';

export interface PeerPlan {
  readonly index: number;
  /** Upload rate, bytes/s (0 for a free rider). */
  readonly up: number;
  /** Download rate, bytes/s (Infinity for unlimited). */
  readonly down: number;
  readonly joinAtMs: number;
  readonly freeRider: boolean;
  /** [leaveAtMs, rejoinAtMs] pairs in time order; empty without churn. */
  readonly offline: ReadonlyArray<readonly [number, number]>;
}

export interface Plan {
  readonly scenario: Scenario;
  readonly peers: readonly PeerPlan[];
  readonly bound: Bound;
}

/** Uniform in [0, 1) with 2^30 steps: Random only gives integers. */
function unit(r: Random): number {
  return r.int(2 ** 30) / 2 ** 30;
}

function exponential(r: Random, mean: number): number {
  return -mean * Math.log(1 - unit(r));
}

export function draw(d: RateDist, r: Random): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * unit(r);
    case 'normal': {
      // Box–Muller; clamped at 5% of the mean so no peer gets a zero or negative link.
      const z = Math.sqrt(-2 * Math.log(1 - unit(r))) * Math.cos(2 * Math.PI * unit(r));
      return Math.max(d.mean * 0.05, d.mean + d.sd * z);
    }
    case 'choice':
      return d.values[r.int(d.values.length)] as number;
  }
}

/** Churn schedules are drawn out to this multiple of the bound; later events never matter. */
const CHURN_HORIZON = 20;

export function makePlan(s: Scenario, seed: number = s.seed): Plan {
  const r = seededRandom(seed);
  const riders = Math.round(s.freeRiders * s.n);
  // Which peers free-ride is drawn too, so they are not always the first to join.
  const riderSet = new Set<number>();
  while (riderSet.size < riders) riderSet.add(r.int(s.n));
  let t = 0;
  const drafts = Array.from({ length: s.n }, (_, index) => {
    const up = draw(s.peerUp, r);
    const down = draw(s.peerDown, r);
    let joinAtMs = 0;
    if (s.join.kind === 'staggered') joinAtMs = index * s.join.everyMs;
    else if (s.join.kind === 'poisson') joinAtMs = index === 0 ? 0 : (t += exponential(r, s.join.meanGapMs));
    else if (s.join.kind === 'list') joinAtMs = s.join.atMs[index] ?? 0;
    const freeRider = riderSet.has(index);
    return { index, up: freeRider ? 0 : up, down, joinAtMs, freeRider };
  });
  const bound = boundFor(s.mode, { fileBytes: s.fileBytes, serverUp: s.serverUp, peerUp: drafts.map((p) => p.up), peerDown: drafts.map((p) => p.down) });
  const horizonMs = bound.seconds * 1000 * CHURN_HORIZON;
  const peers = drafts.map((p): PeerPlan => {
    const offline: Array<readonly [number, number]> = [];
    if (s.churn !== null) {
      let at = p.joinAtMs;
      while (at < horizonMs) {
        const leave = at + exponential(r, s.churn.meanSessionMs);
        const back = leave + exponential(r, s.churn.meanOfflineMs);
        offline.push([leave, back]);
        at = back;
      }
    }
    return { ...p, offline };
  });
  return { scenario: s, peers, bound };
}
