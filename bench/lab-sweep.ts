/**
 * The textbook sweep, measured: distribution time vs N = 1, 2, 4, …, 128 for client-server
 * (HTTP) and P2P (BitTorrent) on loopback, on the embedded SWEEP_SCENARIO (F/u = 8 s,
 * u_s = 10u: the textbook's ratios, time scaled down 450×). Prints measured, bound and ratio per
 * point, the CPU figures of each P2P run (to tell link-bound from CPU-bound runs), and writes the
 * figure, CSV and JSON to an output folder.
 *
 *   npx tsx bench/lab-sweep.ts [--n 1,2,4,8,16,32,64,128] [--mode both|p2p|client-server] [--out DIR]
 *
 * Issue targets: client-server within 5% of max{NF/u_s, F/d_min}; P2P within 10% of the P2P
 * bound for N ≥ 8. Not pass/fail: it prints what it measured.
 */
import { parseArgs } from 'node:util';
import { parseModes, parseNs } from '../src/cli/commands/lab.ts';
import { figureLines, pointLines, timestampDir, writeReport } from '../src/lab/report.ts';
import type { RunResult } from '../src/lab/results.ts';
import type { P2PRunResult } from '../src/lab/run-p2p.ts';
import { SWEEP_SCENARIO } from '../src/lab/scenario-defaults.ts';
import { runSweep } from '../src/lab/sweep.ts';

const { values } = parseArgs({ options: { n: { type: 'string' }, mode: { type: 'string' }, out: { type: 'string' } } });
const ns = parseNs(values.n);
const modes = parseModes(values.mode);
const dir = values.out ?? timestampDir('lab-results', new Date()).replace(/([^/]+)$/, 'bench-$1');
const ac = new AbortController();
process.once('SIGINT', () => ac.abort());
const t0 = performance.now();
const out = await runSweep({
  base: SWEEP_SCENARIO,
  ns,
  modes,
  signal: ac.signal,
  log: (line) => console.log(line),
});
const wall = (performance.now() - t0) / 1000;
const isP2P = (r: RunResult): r is P2PRunResult => 'cpu' in r;
console.log('\nP2P runs, CPU (one process, one event loop):');
for (const r of out.runs.filter(isP2P)) {
  const waste = r.wastedBytes / (r.n * r.fileBytes);
  console.log(`  N=${String(r.n).padEnd(4)} cpu busy ${(100 * r.cpu.busyFraction).toFixed(0).padStart(3)}%  loop delay p99 ${r.cpu.loopDelayP99Ms.toFixed(1).padStart(6)} ms  max ${r.cpu.loopDelayMaxMs.toFixed(0).padStart(5)} ms  rechoke ${r.choker.rechokeIntervalMs} ms  wasted / (N·F) ${waste.toFixed(2)}`);
}
const report = await writeReport(dir, out.runs, { base: 'sweep', scenario: SWEEP_SCENARIO, distribution: true, extra: { ns, modes, bench: true } });
console.log('\nmeasured vs bound:');
for (const line of pointLines(report.points)) console.log(`  ${line}`);
for (const line of figureLines(report)) console.log(line);
console.log(`wall time ${wall.toFixed(0)} s${out.interrupted ? ' (interrupted)' : ''}`);
