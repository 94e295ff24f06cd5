/**
 * The transfer engine's efficiency in a lab swarm: for each N, one P2P run of the textbook
 * sweep scenario (or flags), printing distribution time vs bound, what every sender uploaded,
 * and the wasted bytes split by cause (late after CHOKE, endgame duplicates, timeout re-fetches,
 * hash failures) — the figures that tell which engine mechanism wastes bandwidth.
 *
 *   npx tsx bench/engine.ts [--n 8,16,32] [--repeats 3] [--file-size 2M] [--piece-size 16K] [--rechoke MS]
 *
 * --rechoke overrides the lab's scaled choker timing (optimistic 3×, snub 6×), for ablations.
 *
 * Not pass/fail: it prints what it measured (medians over repeats at the end).
 */
import { parseArgs } from 'node:util';
import type { Torrent } from '../peer/session/torrent.ts';
import type { WasteBy } from '../peer/session/torrent-stats.ts';
import { makePlan } from '../src/lab/plan.ts';
import { runP2P, type LiveSwarm } from '../src/lab/run-p2p.ts';
import { SWEEP_SCENARIO } from '../src/lab/scenario-defaults.ts';
import { parseSize } from '../src/lab/units.ts';

const { values } = parseArgs({
  options: { n: { type: 'string' }, repeats: { type: 'string' }, 'file-size': { type: 'string' }, 'piece-size': { type: 'string' }, rechoke: { type: 'string' } },
});
const ns = (values.n ?? '8,16,32').split(',').map(Number);
const repeats = Number(values.repeats ?? 1);
const fileBytes = values['file-size'] ? parseSize(values['file-size']) : SWEEP_SCENARIO.fileBytes;
const pieceBytes = values['piece-size'] ? parseSize(values['piece-size']) : SWEEP_SCENARIO.pieceBytes;

const MB = (b: number): string => (b / 1e6).toFixed(2).padStart(6);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;
const summary: string[] = [];
const rechoke = values.rechoke ? Number(values.rechoke) : undefined;
const choker = rechoke ? { rechokeIntervalMs: rechoke, optimisticIntervalMs: 3 * rechoke, snubMs: 6 * rechoke, newPeerMs: 6 * rechoke, seedQuantumMs: 3 * rechoke } : undefined;

for (const n of ns) {
  const ratios: number[] = [];
  const wastes: number[] = [];
  const ups: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const plan = makePlan({ ...SWEEP_SCENARIO, n, fileBytes, pieceBytes, seed: 1 + k });
    let swarm: LiveSwarm | undefined;
    // Snapshot every torrent as each peer completes: the runner stops them right after the last.
    let last: { up: number; seedUp: number; waste: WasteBy } | undefined;
    const grab = (): void => {
      if (!swarm) return;
      const seedUp = swarm.seeder.torrents.reduce((a, t: Torrent) => a + t.stats().uploaded, 0);
      const waste: WasteBy = { choked: 0, endgame: 0, timeout: 0, hash: 0 };
      let up = seedUp;
      for (const t of swarm.leecherTorrents()) {
        const st = t.stats();
        up += st.uploaded;
        for (const key of Object.keys(waste) as (keyof WasteBy)[]) waste[key] += st.wasteBy?.[key] ?? 0;
      }
      last = { up, seedUp, waste };
    };
    const r = await runP2P(plan, { repeat: k, onLive: (s) => (swarm = s), onComplete: grab, ...(choker ? { choker } : {}) });
    const nf = n * fileBytes;
    const w = last?.waste ?? { choked: 0, endgame: 0, timeout: 0, hash: 0 };
    ratios.push(r.ratio ?? Infinity);
    wastes.push(r.wastedBytes / nf);
    ups.push((last?.up ?? 0) / nf);
    console.log(
      `N=${String(n).padEnd(3)} #${k} measured ${(r.distributionSeconds ?? NaN).toFixed(2)} s bound ${r.bound.seconds.toFixed(2)} s ratio ${(r.ratio ?? NaN).toFixed(3)}  ` +
        `uploaded ${MB(last?.up ?? 0)} MB (seeder ${MB(last?.seedUp ?? 0)}) = ${((last?.up ?? 0) / nf).toFixed(3)}·N·F  ` +
        `wasted ${MB(r.wastedBytes)} MB (${((100 * r.wastedBytes) / nf).toFixed(1)}%): choked ${MB(w.choked)} endgame ${MB(w.endgame)} timeout ${MB(w.timeout)} hash ${MB(w.hash)}  ` +
        `cpu ${(100 * r.cpu.busyFraction).toFixed(0)}% p99 ${r.cpu.loopDelayP99Ms.toFixed(0)} ms`,
    );
  }
  summary.push(`N=${String(n).padEnd(3)} median ratio ${median(ratios).toFixed(3)}  uploaded ${median(ups).toFixed(3)}·N·F  wasted ${(100 * median(wastes)).toFixed(1)}% of N·F  (${repeats} runs)`);
}
console.log(`\n${summary.join('\n')}`);
