/**
 * The throttled swarm of issue 5: 1 seed with u_s = 10u and 32 leechers uploading u, all in one
 * process on loopback, each host behind its own shared token buckets. Prints the distribution
 * time beside the P2P bound max{F/u_s, F/d_min, N·F/(u_s + Σu_i)} and their ratio, for the
 * full algorithm set and three ablations: random piece order, no choking (unchoke-all), and 25%
 * free riders (which upload nothing, so Σu_i and the bound change with them).
 *
 *   npx tsx bench/swarm.ts [--n 32] [--u 256KiB] [--file 2MiB] [--piece 16KiB] [--repeats 1]
 *                          [--only base,random,unchoke-all,free-riders]
 *
 * Defaults keep each run near 6–8 s of bound (F/u = 8 s, u_s = 10u, d = u_s: the textbook's
 * ratios, as in the lab sweep). Not pass/fail: the goal is a ratio within 1.10.
 */
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { makePlan } from '../src/lab/plan.ts';
import type { P2PRunResult } from '../src/lab/run-p2p.ts';
import { runP2P } from '../src/lab/run-p2p.ts';
import { SWEEP_SCENARIO } from '../src/lab/scenario-defaults.ts';
import type { Scenario } from '../src/lab/scenario.ts';
import { parseRate, parseSize } from '../src/lab/units.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '32' },
    u: { type: 'string', default: '256KiB' },
    file: { type: 'string', default: '2MiB' },
    piece: { type: 'string', default: '16KiB' },
    repeats: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const n = Number(values.n);
const u = parseRate(values.u, 'u');
const fileBytes = parseSize(values.file);
const pieceBytes = parseSize(values.piece);
const repeats = Number(values.repeats);

// The sweep's scenario with N, F and the rates replaced (same ratios: u_s = 10u, d = u_s).
const base: Scenario = {
  ...SWEEP_SCENARIO,
  name: 'bench-swarm',
  n,
  fileBytes,
  pieceBytes,
  serverUp: 10 * u,
  peerUp: { kind: 'fixed', value: u },
  peerDown: { kind: 'fixed', value: 10 * u },
  picker: 'rarest',
  choker: 'tit-for-tat',
  freeRiders: 0,
};

const variants: { name: string; s: Scenario }[] = [
  { name: 'base', s: base },
  { name: 'random', s: { ...base, picker: 'random' } },
  { name: 'unchoke-all', s: { ...base, choker: 'unchoke-all' } },
  { name: 'free-riders', s: { ...base, freeRiders: 0.25 } },
];
const only = values.only?.split(',');
const chosen = only ? variants.filter((v) => only.includes(v.name)) : variants;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
};
const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const f = (x: number | null, d = 2): string => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));

let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
} catch {
  // not a checkout: leave it unknown
}
const ac = new AbortController();
process.once('SIGINT', () => ac.abort());
console.log(`swarm bench @ ${commit}: N=${n}, F=${fileBytes} B in ${pieceBytes} B pieces, u=${u} B/s, u_s=${10 * u} B/s, d=${10 * u} B/s, node ${process.version}`);

interface Row {
  name: string;
  r: P2PRunResult;
}
const rows: Row[] = [];
for (const v of chosen) {
  for (let repeat = 0; repeat < repeats && !ac.signal.aborted; repeat++) {
    const plan = makePlan(v.s, v.s.seed + repeat);
    const r = await runP2P(plan, { signal: ac.signal, repeat, sampleMs: 100 });
    rows.push({ name: v.name, r });
    console.log(`  ${v.name} #${repeat + 1}: ${f(r.distributionSeconds)} s, bound ${r.bound.seconds.toFixed(2)} s (${r.bound.term}), ratio ${f(r.ratio, 3)}, cpu ${(100 * r.cpu.busyFraction).toFixed(0)}%`);
  }
}

const header = ['variant', 'D (s)', 'bound (s)', 'ratio', 'spread', 'waste/NF', 'median done (s)', 'free riders (s)', 'cpu', 'loop p99 (ms)', 'rechoke (ms)'];
const table = rows.map(({ name, r }) => {
  const done = (fr: boolean) => r.peers.filter((p) => p.freeRider === fr && p.completedAtMs !== null).map((p) => (p.completedAtMs as number) / 1000);
  // Spread: max − min copies per piece, averaged over the samples taken while the swarm was mid-way.
  const mid = r.spread.filter((s) => s.mean > 1.5 && s.mean < r.n + 0.5);
  return [
    name,
    f(r.distributionSeconds),
    r.bound.seconds.toFixed(2),
    f(r.ratio, 3),
    f(mean(mid.map((s) => s.max - s.min)), 1),
    (r.wastedBytes / (r.n * r.fileBytes)).toFixed(3),
    f(median(done(false))),
    r.peers.some((p) => p.freeRider) ? f(median(done(true))) : '—',
    `${(100 * r.cpu.busyFraction).toFixed(0)}%`,
    r.cpu.loopDelayP99Ms.toFixed(1),
    String(r.choker.rechokeIntervalMs),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
console.log(`\n${line(header)}`);
for (const row of table) console.log(line(row));
console.log('\nD: time until every leecher has the file; spread: mean (max − min) copies per piece mid-run; free riders: their median completion.');
