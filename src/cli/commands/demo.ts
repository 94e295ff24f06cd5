/**
 * `ringswarm demo`: the README's main job. On the embedded DEMO_SCENARIO it starts a tracker, a
 * 4-node Chord ring, a seeder and 8 throttled leechers on loopback, shows the swarm live (the
 * TUI on a terminal, progress lines otherwise), runs the client-server baseline for the same
 * scenario, and ends with measured vs bound for both and where the figures were written.
 */
import type { Command } from 'commander';
import { openTui, localSource } from '../../../tui/index.ts';
import { liveSnapshot } from '../../lab/live-snapshot.ts';
import { makePlan } from '../../lab/plan.ts';
import { figureLines, timestampDir, writeReport } from '../../lab/report.ts';
import type { RunResult } from '../../lab/results.ts';
import { runClientServer } from '../../lab/run-client-server.ts';
import { runP2P, type LiveSwarm } from '../../lab/run-p2p.ts';
import { DEMO_SCENARIO } from '../../lab/scenario-defaults.ts';
import type { Scenario } from '../../lab/scenario.ts';
import { EXIT } from '../exit.ts';
import { abortOnSignals, type LabIO } from './lab.ts';
import { stdoutIO } from '../shared.ts';

export interface DemoOptions {
  tui?: boolean;
  quick?: boolean;
  out?: string;
  png?: boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** --quick: 4 leechers, 1 MiB — the same story in about ten seconds (tests, CI). */
export const QUICK_DEMO: Scenario = { ...DEMO_SCENARIO, name: 'demo-quick', n: 4, fileBytes: 1 * MiB, pieceBytes: 32 * KiB, join: { kind: 'staggered', everyMs: 100 } };

const mib = (b: number): string => `${+(b / MiB).toFixed(2)} MiB`;

function progressLine(live: LiveSwarm): string {
  const v = live.labView();
  const mean = v.peers.reduce((a, p) => a + p.progress, 0) / Math.max(1, v.peers.length);
  const bar = v.peers.map((p) => (p.doneMs !== null ? '█' : p.progress >= 0.5 ? '▓' : p.progress > 0 ? '░' : '·')).join('');
  return `  ${(v.elapsedMs / 1000).toFixed(1).padStart(5)} s  [${bar}]  ${live.completed()}/${v.peers.length} done, mean progress ${(100 * mean).toFixed(0)}%`;
}

/** Watches the swarm: the TUI when asked and possible, else a progress line a second. */
function watch(live: LiveSwarm, useTui: boolean, started: number, ac: AbortController, io: LabIO): () => void {
  if (!useTui) {
    const t = setInterval(() => io.out(`${progressLine(live)}\n`), 1000);
    return () => clearInterval(t);
  }
  let closedByUs = false;
  const source = localSource(() => liveSnapshot(live, started), { intervalMs: 250 });
  void openTui(source, {
    onQuit: () => {
      // q or Ctrl-C in the TUI before the run ended: the user wants out, like Ctrl-C.
      if (!closedByUs) ac.abort();
    },
  });
  return () => {
    closedByUs = true;
    // The TUI closes on its quit key; there is no other handle, so press it for the user.
    process.stdin.emit('keypress', 'q', { name: 'q', full: 'q', sequence: 'q', ctrl: false, meta: false, shift: false });
  };
}

function table(p2p: RunResult | undefined, cs: RunResult | undefined): string[] {
  const row = (label: string, r: RunResult | undefined): string => {
    if (!r) return `  ${label.padEnd(15)} (not run)`;
    const m = r.distributionSeconds === null ? 'incomplete' : `${r.distributionSeconds.toFixed(2)} s`;
    return `  ${label.padEnd(15)} ${m.padStart(10)}   ${`${r.bound.seconds.toFixed(2)} s`.padStart(9)}   ${r.ratio === null ? '   -' : r.ratio.toFixed(3)}   ${r.bound.term}`;
  };
  const lines = ['', 'distribution time to all N peers:', `  ${'mode'.padEnd(15)} ${'measured'.padStart(10)}   ${'bound'.padStart(9)}   ratio   bound limited by`, row('P2P', p2p), row('client-server', cs)];
  if (p2p?.distributionSeconds && cs?.distributionSeconds) {
    lines.push('', `P2P delivered the file to all ${p2p.n} peers ${(cs.distributionSeconds / p2p.distributionSeconds).toFixed(1)}× faster than client-server: every peer uploads too, so capacity grows with N.`);
  }
  return lines;
}

export async function runDemo(opts: DemoOptions, io: LabIO): Promise<number> {
  const s = opts.quick ? QUICK_DEMO : DEMO_SCENARIO;
  const useTui = opts.tui !== false && process.stdout.isTTY === true && process.stdin.isTTY === true;
  const dir = opts.out ?? timestampDir('lab-results', new Date()).replace(/([^/]+)$/, 'demo-$1');
  const p2pPlan = makePlan(s);
  const csPlan = makePlan({ ...s, mode: 'client-server' });
  const up = s.peerUp.kind === 'fixed' ? `${mib(s.peerUp.value)}/s` : 'varied';
  io.out(`ringswarm demo: one ${mib(s.fileBytes)} file to N=${s.n} peers on loopback (seeder/server upload ${mib(s.serverUp)}/s, each peer uploads ${up})\n`);
  io.out(`1) P2P: tracker + ${s.discovery === 'tracker' ? '' : '4-node Chord DHT + '}seeder + ${s.n} BitTorrent peers; bound ${p2pPlan.bound.seconds.toFixed(2)} s (${p2pPlan.bound.term})\n`);
  const ac = new AbortController();
  const unhook = abortOnSignals(ac, io);
  const started = Date.now();
  const runs: RunResult[] = [];
  let p2p: RunResult | undefined;
  let cs: RunResult | undefined;
  try {
    let unwatch: () => void = () => undefined;
    try {
      p2p = await runP2P(p2pPlan, {
        signal: ac.signal,
        onLive: (live) => (unwatch = watch(live, useTui, started, ac, io)),
        onComplete: useTui ? undefined : (i, at) => io.out(`  peer ${i} complete at ${(at / 1000).toFixed(2)} s\n`),
      });
    } finally {
      unwatch();
    }
    runs.push(p2p);
    if (!ac.signal.aborted) {
      io.out(`2) client-server: one HTTP server, ${s.n} clients; bound ${csPlan.bound.seconds.toFixed(2)} s (${csPlan.bound.term})\n`);
      const tick = setInterval(() => io.out('.'), 2000);
      try {
        cs = await runClientServer(csPlan, { signal: ac.signal, onComplete: (i, at) => io.out(`\n  client ${i} complete at ${(at / 1000).toFixed(2)} s`) });
      } finally {
        clearInterval(tick);
        io.out('\n');
      }
      runs.push(cs);
    }
  } finally {
    unhook();
  }
  for (const line of table(p2p, cs)) io.out(`${line}\n`);
  const report = await writeReport(dir, runs, { base: 'demo', scenario: s, distribution: true, png: opts.png !== false });
  io.out('\n');
  for (const line of figureLines(report)) io.out(`${line}\n`);
  if (ac.signal.aborted) return EXIT.interrupted;
  return runs.every((r) => r.distributionSeconds !== null) ? EXIT.ok : EXIT.failed;
}

export function registerDemo(program: Command, io: LabIO = stdoutIO): Command {
  return program
    .command('demo')
    .description('watch a swarm beat client-server: tracker, DHT, seeder and 8 throttled peers on loopback, then the HTTP baseline and the comparison')
    .option('--no-tui', 'plain progress lines instead of the terminal UI')
    .option('--quick', 'a smaller run (4 peers, 1 MiB) that finishes in seconds')
    .option('--out <dir>', 'output folder (default ./lab-results/demo-<timestamp>)')
    .option('--no-png', 'write SVG figures only')
    .action(async (opts: DemoOptions) => {
      process.exitCode = await runDemo(opts, io);
    });
}
