/**
 * What a lab run measured, and the comparison that matters: measured distribution time against
 * the textbook bound. The recorder is pure (the runner feeds it times it read from its clock),
 * so an interrupted run can still be finished and saved with what it gathered.
 */
import type { Bound } from './bounds.ts';
import type { Plan } from './plan.ts';
import type { Mode } from './scenario.ts';

export interface PeerResult {
  readonly index: number;
  readonly joinAtMs: number;
  /** Since the run started; null when the peer never completed. */
  readonly completedAtMs: number | null;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly freeRider: boolean;
}

/** How evenly pieces are replicated at one instant: copies per piece across all peers. */
export interface SpreadSample {
  readonly atMs: number;
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

/** Aggregate upload rate against the upload capacity of the hosts online then. */
export interface UtilisationSample {
  readonly atMs: number;
  readonly uploadBps: number;
  readonly capacityBps: number;
}

export interface RunResult {
  readonly scenario: string;
  readonly mode: Mode;
  readonly n: number;
  readonly repeat: number;
  readonly seed: number;
  readonly fileBytes: number;
  readonly bound: Bound;
  /** Last completion time in seconds; null when some peer did not complete. */
  readonly distributionSeconds: number | null;
  /** measured / bound (≥ 1 when the bound holds); null when incomplete. */
  readonly ratio: number | null;
  readonly interrupted: boolean;
  readonly peers: readonly PeerResult[];
  readonly spread: readonly SpreadSample[];
  readonly utilisation: readonly UtilisationSample[];
  /** The run's rates were the scenario's divided by this (its times × this); absent: 1. */
  readonly slowdown?: number;
}

export class RunRecorder {
  readonly #plan: Plan;
  readonly #repeat: number;
  readonly #seed: number;
  readonly #completed = new Map<number, number>();
  readonly #bytes = new Map<number, { up: number; down: number }>();
  readonly #spread: SpreadSample[] = [];
  readonly #util: UtilisationSample[] = [];

  constructor(plan: Plan, repeat = 0, seed = plan.scenario.seed) {
    this.#plan = plan;
    this.#repeat = repeat;
    this.#seed = seed;
  }

  /** First completion wins: a peer that churns out and back in keeps its first finish. */
  completed(index: number, atMs: number): void {
    if (!this.#completed.has(index)) this.#completed.set(index, atMs);
  }

  /** Cumulative byte counters (the latest call wins). */
  bytes(index: number, up: number, down: number): void {
    this.#bytes.set(index, { up, down });
  }

  spread(atMs: number, copiesPerPiece: ArrayLike<number>): void {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < copiesPerPiece.length; i++) {
      const c = copiesPerPiece[i] as number;
      min = Math.min(min, c);
      max = Math.max(max, c);
      sum += c;
    }
    if (copiesPerPiece.length > 0) this.#spread.push({ atMs, min, max, mean: sum / copiesPerPiece.length });
  }

  utilisation(atMs: number, uploadBps: number, capacityBps: number): void {
    this.#util.push({ atMs, uploadBps, capacityBps });
  }

  get completedCount(): number {
    return this.#completed.size;
  }

  finish(interrupted = false): RunResult {
    const s = this.#plan.scenario;
    const peers = this.#plan.peers.map((p): PeerResult => {
      const b = this.#bytes.get(p.index) ?? { up: 0, down: 0 };
      return { index: p.index, joinAtMs: p.joinAtMs, completedAtMs: this.#completed.get(p.index) ?? null, bytesUp: b.up, bytesDown: b.down, freeRider: p.freeRider };
    });
    const distributionSeconds = distributionTime(peers);
    return {
      scenario: s.name,
      mode: s.mode,
      n: s.n,
      repeat: this.#repeat,
      seed: this.#seed,
      fileBytes: s.fileBytes,
      bound: this.#plan.bound,
      distributionSeconds,
      ratio: distributionSeconds === null ? null : distributionSeconds / this.#plan.bound.seconds,
      interrupted,
      peers,
      spread: this.#spread.slice(),
      utilisation: this.#util.slice(),
    };
  }
}

/** Time until the last peer has the file, in seconds; null if any peer never completed. */
export function distributionTime(peers: readonly PeerResult[]): number | null {
  let last = 0;
  for (const p of peers) {
    if (p.completedAtMs === null) return null;
    last = Math.max(last, p.completedAtMs);
  }
  return peers.length === 0 ? null : last / 1000;
}

/** Standard deviation / mean (sample sd); 0 for fewer than two values. */
export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return mean === 0 ? 0 : Math.sqrt(variance) / mean;
}

/** One point of the figure: the repeats of one (mode, N) pair. */
export interface SweepPoint {
  readonly mode: Mode;
  readonly n: number;
  readonly measured: readonly number[];
  readonly meanSeconds: number;
  readonly cv: number;
  readonly boundSeconds: number;
  readonly ratio: number;
  /** The runs were slowed down by this; the seconds above are divided by it (base rates). */
  readonly slowdown: number;
}

export function sweepPoints(runs: readonly RunResult[]): SweepPoint[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    if (r.distributionSeconds === null) continue;
    const key = `${r.mode}:${r.n}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const points = [...groups.values()].map((rs): SweepPoint => {
    const first = rs[0] as RunResult;
    const k = first.slowdown ?? 1;
    const measured = rs.map((r) => (r.distributionSeconds as number) / (r.slowdown ?? 1));
    const meanSeconds = measured.reduce((a, b) => a + b, 0) / measured.length;
    const boundSeconds = first.bound.seconds / k;
    return { mode: first.mode, n: first.n, measured, meanSeconds, cv: coefficientOfVariation(measured), boundSeconds, ratio: meanSeconds / boundSeconds, slowdown: k };
  });
  return points.sort((a, b) => (a.mode === b.mode ? a.n - b.n : a.mode < b.mode ? -1 : 1));
}

/** Sorted completion times in seconds, for a CDF. */
export function completionTimes(run: RunResult): number[] {
  return run.peers.flatMap((p) => (p.completedAtMs === null ? [] : [p.completedAtMs / 1000])).sort((a, b) => a - b);
}

/** One line a person reads after a run. */
export function describeRun(r: RunResult): string {
  const measured = r.distributionSeconds === null ? 'incomplete' : `${r.distributionSeconds.toFixed(2)} s`;
  const ratio = r.ratio === null ? '' : `, ratio ${r.ratio.toFixed(3)}`;
  const done = r.peers.filter((p) => p.completedAtMs !== null).length;
  const slow = (r.slowdown ?? 1) > 1 ? ` (rates ÷ ${(r.slowdown as number).toFixed(2).replace(/\.?0+$/, '')})` : '';
  return `${r.mode} N=${r.n}${r.repeat > 0 ? ` #${r.repeat + 1}` : ''}: measured ${measured}, bound ${r.bound.seconds.toFixed(2)} s (${r.bound.term})${ratio}, ${done}/${r.n} complete${r.interrupted ? ', interrupted' : ''}${slow}`;
}
