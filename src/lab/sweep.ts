/**
 * The textbook sweep: distribution time vs N for client-server and/or P2P, each point a real
 * run (repeated `repeats` times with successive seeds), then the figure with the bound curves.
 * Stops cleanly on abort: runs finished so far are kept and reported.
 */
import { makePlan } from './plan.ts';
import { describeRun, type RunResult } from './results.ts';
import { runClientServer } from './run-client-server.ts';
import { runP2P, type P2PRunOptions } from './run-p2p.ts';
import { parseScenario, type Mode, type Scenario } from './scenario.ts';
import { autoSlowdown, slowedDown } from './slowdown.ts';

export interface SweepOptions {
  readonly base: Scenario;
  readonly ns: readonly number[];
  readonly modes: readonly Mode[];
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly p2p?: Omit<P2PRunOptions, 'signal' | 'repeat'>;
  /** Slow big P2P points down (autoSlowdown) so the CPU stays out of the measurement; default true. */
  readonly slowdown?: boolean;
}

export interface SweepOutcome {
  readonly runs: RunResult[];
  readonly interrupted: boolean;
  /** Notes on what was changed for a mode (e.g. churn dropped for client-server). */
  readonly notes: string[];
}

/** The scenario of one point: the base with mode and N replaced, validated like any other. */
export function pointScenario(base: Scenario, mode: Mode, n: number): Scenario {
  // Churn and free riding mean nothing when peers never upload to each other.
  const cs = mode === 'client-server';
  const s = parseScenario({ mode, n }, { ...base, churn: cs ? null : base.churn, join: base.join.kind === 'list' ? { kind: 'together' } : base.join }, { force: true });
  return s;
}

export async function runOne(s: Scenario, repeat: number, signal?: AbortSignal, p2p: SweepOptions['p2p'] = {}): Promise<RunResult> {
  const plan = makePlan(s, s.seed + repeat);
  return s.mode === 'client-server' ? runClientServer(plan, { signal, repeat }) : runP2P(plan, { ...p2p, signal, repeat });
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const runs: RunResult[] = [];
  const notes: string[] = [];
  if (o.base.churn !== null && o.modes.includes('client-server')) notes.push('churn applies to P2P runs only; client-server runs ignore it');
  if (o.base.join.kind === 'list') notes.push('a join list fits one N only; the sweep starts everyone together');
  for (const mode of o.modes) {
    for (const n of o.ns) {
      const k = mode === 'p2p' && o.slowdown !== false ? autoSlowdown(n) : 1;
      const s = slowedDown(pointScenario(o.base, mode, n), k);
      for (let repeat = 0; repeat < s.repeats; repeat++) {
        if (o.signal?.aborted) return { runs, interrupted: true, notes };
        const r = { ...(await runOne(s, repeat, o.signal, o.p2p)), ...(k > 1 ? { slowdown: k } : {}) };
        runs.push(r);
        o.log?.(describeRun(r));
        if (r.interrupted) return { runs, interrupted: true, notes };
      }
    }
  }
  return { runs, interrupted: o.signal?.aborted === true, notes };
}
