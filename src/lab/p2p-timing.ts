/**
 * Choker timing for lab runs. The textbook intervals (rechoke every 10 s, optimistic unchoke
 * every 30 s, snubbed after 60 s) were tuned for downloads that take minutes to hours; a lab run
 * whose bound is a few seconds would finish before the first optimistic unchoke. So the
 * intervals scale with the scenario's bound, keeping the textbook's 1 : 3 : 6 proportions, and
 * the results record the values used. Pure.
 */
import type { ChokerOptions } from '../../peer/core/choker.ts';

export interface LabChokerTiming {
  readonly rechokeIntervalMs: number;
  readonly optimisticIntervalMs: number;
  readonly snubMs: number;
  readonly newPeerMs: number;
  readonly seedQuantumMs: number;
}

/**
 * Rechoke about 20 times per bound, between 500 ms and the textbook's 10 s. The floor is not
 * lower because a throttled host's REQUEST/CANCEL wait behind its own uploads (~0.5 s): rechoking
 * faster than that makes peers serve blocks already re-asked elsewhere (measured: at 178 ms a
 * third of N=8's waste came from data arriving after a choke).
 */
export function labChokerTiming(boundSeconds: number): LabChokerTiming {
  const base = Number.isFinite(boundSeconds) && boundSeconds > 0 ? boundSeconds * 50 : 10_000;
  const rechoke = Math.round(Math.min(10_000, Math.max(500, base)));
  return {
    rechokeIntervalMs: rechoke,
    optimisticIntervalMs: 3 * rechoke,
    snubMs: 6 * rechoke,
    newPeerMs: 6 * rechoke,
    seedQuantumMs: 3 * rechoke,
  };
}

export function chokerOptionsFor(mode: 'tit-for-tat' | 'unchoke-all', t: LabChokerTiming): Partial<ChokerOptions> {
  return { mode, ...t };
}
