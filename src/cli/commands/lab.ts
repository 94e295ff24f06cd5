/**
 * `ringswarm lab run [scenario.json] [flags…]` and `ringswarm lab sweep --n 1,2,4,…,128`:
 * the distribution-time lab. Scenarios come from a JSON file and/or flags (one validator, so a
 * bad value fails before anything starts); results, CSVs and figures go to an output folder
 * (default ./lab-results/<timestamp>). Ctrl-C stops every peer and still saves what finished.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { coefficientOfVariation, describeRun, type RunResult } from '../../lab/results.ts';
import { figureLines, pointLines, timestampDir, writeReport } from '../../lab/report.ts';
import { SWEEP_NS, SWEEP_SCENARIO } from '../../lab/scenario-defaults.ts';
import { scenarioFromFlags, type ScenarioFlag } from '../../lab/scenario-flags.ts';
import { parseScenarioText, type Mode, type Scenario } from '../../lab/scenario.ts';
import { kernelPlanProblem, kernelShapingProblem, runKernelShaped } from '../../lab/kernel-shaping.ts';
import { makePlan } from '../../lab/plan.ts';
import { FULL_RATE_PEERS } from '../../lab/slowdown.ts';
import { runOne, runSweep } from '../../lab/sweep.ts';
import { EXIT } from '../exit.ts';
import { stdoutIO, type CommandIO } from '../shared.ts';

export type LabIO = CommandIO;

/** Ctrl-C / SIGTERM abort the controller (once); returns the function that unhooks. */
export function abortOnSignals(ac: AbortController, io: LabIO): () => void {
  const onSignal = (): void => {
    if (!ac.signal.aborted) io.out('\ninterrupted: stopping every peer, saving what finished…\n');
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

type FlagValues = Partial<Record<ScenarioFlag, string | boolean>> & { out?: string; force?: boolean; png?: boolean; modes?: string; ns?: string };

/** Declares every scenario flag on a command (names as scenario-flags.ts expects them). */
function scenarioOptions(cmd: Command, withN: boolean): Command {
  if (withN) cmd.option('--n <peers>', 'number of peers N').option('--mode <mode>', 'client-server or p2p');
  return cmd
    .option('--name <name>', 'scenario name (used in results)')
    .option('--file-size <size>', 'file size F, e.g. 2M')
    .option('--piece-size <size>', 'piece size (power of two ≥ 16K)')
    .option('--server-up <rate>', 'server/seeder upload u_s, e.g. 2.5M')
    .option('--peer-up <rate>', 'peer upload u_i: RATE, uniform:MIN:MAX, normal:MEAN:SD or choice:A,B')
    .option('--peer-down <rate>', 'peer download d_i (same forms)')
    .option('--join <spec>', 'together, every:200ms, poisson:500ms or a list 0,100ms,1s')
    .option('--depart', 'peers leave as soon as they complete')
    .option('--free-riders <fraction>', 'fraction of peers that upload nothing (0–1)')
    .option('--churn <spec>', 'SESSION:OFFLINE mean times, e.g. 5s:2s, or none')
    .option('--discovery <how>', 'tracker, dht or both')
    .option('--picker <order>', 'rarest or random')
    .option('--choker <choker>', 'tit-for-tat or unchoke-all')
    .option('--repeats <k>', 'runs per point (successive seeds)')
    .option('--seed <int>', 'random seed of the plan')
    .option('--out <dir>', 'output folder (default ./lab-results/<timestamp>)')
    .option('--no-png', 'write SVG figures only')
    .option('--force', 'skip the run-time estimate check');
}

function flagsOf(opts: FlagValues, withN: boolean): Partial<Record<ScenarioFlag, string | boolean>> {
  const keys: ScenarioFlag[] = ['name', 'fileSize', 'pieceSize', 'serverUp', 'peerUp', 'peerDown', 'join', 'depart', 'freeRiders', 'churn', 'discovery', 'picker', 'choker', 'repeats', 'seed'];
  if (withN) keys.push('n', 'mode');
  const out: Partial<Record<ScenarioFlag, string | boolean>> = {};
  for (const k of keys) if (opts[k] !== undefined) out[k] = opts[k];
  return out;
}

export function parseNs(v: string | undefined): number[] {
  if (v === undefined) return SWEEP_NS.slice();
  const ns = v.split(',').map((x) => x.trim());
  const out = ns.map((x) => Number(x));
  if (out.some((x, i) => !/^\d+$/.test(ns[i] ?? '') || x < 1 || x > 1024)) throw new ConfigError(`--n expects a list of integers from 1 to 1024, e.g. 1,2,4,8; got "${v}"`);
  return [...new Set(out)].sort((a, b) => a - b);
}

export function parseModes(v: string | undefined): Mode[] {
  if (v === undefined || v === 'both') return ['client-server', 'p2p'];
  if (v === 'p2p' || v === 'client-server') return [v];
  throw new ConfigError(`--mode must be both, p2p or client-server; got "${v}"`);
}

async function loadScenario(file: string | undefined, opts: FlagValues, withN: boolean): Promise<Scenario> {
  const validate = { force: opts.force === true };
  let base = SWEEP_SCENARIO;
  if (file !== undefined) base = parseScenarioText(await readFile(file, 'utf8'), SWEEP_SCENARIO, validate);
  return scenarioFromFlags(flagsOf(opts, withN), base, validate);
}

async function labRun(file: string | undefined, opts: FlagValues & { shaping?: string }, io: LabIO): Promise<void> {
  const s = await loadScenario(file, opts, true);
  const shaping = opts.shaping ?? 'throttle';
  if (shaping !== 'throttle' && shaping !== 'kernel') throw new ConfigError(`--shaping must be throttle or kernel; got "${shaping}"`);
  if (shaping === 'kernel') {
    const problem = kernelPlanProblem(makePlan(s)) ?? (await kernelShapingProblem());
    if (problem) throw new ConfigError(problem);
  }
  const dir = opts.out ?? timestampDir();
  const ac = new AbortController();
  const unhook = abortOnSignals(ac, io);
  const runs: RunResult[] = [];
  try {
    io.out(`lab run "${s.name}": ${s.mode}, N=${s.n}, F=${s.fileBytes} B, u_s=${s.serverUp} B/s, ${s.repeats} repeat(s)${shaping === 'kernel' ? ', shaped by the kernel (tc)' : ''}\n`);
    for (let k = 0; k < s.repeats && !ac.signal.aborted; k++) {
      const r = shaping === 'kernel' ? await runKernelShaped(makePlan(s, s.seed + k), { signal: ac.signal, repeat: k }) : await runOne(s, k, ac.signal);
      runs.push(r);
      io.out(`${describeRun(r)}\n`);
      if ('cpu' in r) {
        const cpu = (r as RunResult & { cpu: { busyFraction: number; loopDelayP99Ms: number } }).cpu;
        io.out(`  cpu busy ${(100 * cpu.busyFraction).toFixed(0)}% of one core, event-loop delay p99 ${cpu.loopDelayP99Ms.toFixed(1)} ms\n`);
      }
    }
  } finally {
    unhook();
  }
  const done = runs.flatMap((r) => (r.distributionSeconds === null ? [] : [r.distributionSeconds]));
  if (done.length > 1) io.out(`repeats: mean ${(done.reduce((a, b) => a + b, 0) / done.length).toFixed(3)} s, coefficient of variation ${(100 * coefficientOfVariation(done)).toFixed(2)}%\n`);
  const report = await writeReport(dir, runs, { base: 'run', scenario: s, png: opts.png !== false });
  for (const line of figureLines(report)) io.out(`${line}\n`);
  if (ac.signal.aborted) process.exitCode = EXIT.interrupted;
  else if (runs.some((r) => r.distributionSeconds === null)) process.exitCode = EXIT.failed;
}

async function labSweep(opts: FlagValues & { n?: string; mode?: string; slowdown?: boolean }, io: LabIO): Promise<void> {
  const ns = parseNs(opts.n);
  const modes = parseModes(opts.mode);
  // Validate the largest point up front (the estimate grows with N in client-server).
  const base = await loadScenario(undefined, { ...opts, n: String(Math.max(...ns)), mode: modes[0] }, true);
  const dir = opts.out ?? timestampDir();
  const ac = new AbortController();
  const unhook = abortOnSignals(ac, io);
  io.out(`lab sweep: N = ${ns.join(', ')}; ${modes.join(' and ')}; F=${base.fileBytes} B, u_s=${base.serverUp} B/s; picker ${base.picker}, choker ${base.choker}, free riders ${base.freeRiders}, churn ${base.churn ? 'on' : 'off'}\n`);
  let outcome;
  try {
    outcome = await runSweep({ base, ns, modes, signal: ac.signal, slowdown: opts.slowdown !== false, log: (l) => io.out(`${l}\n`) });
  } finally {
    unhook();
  }
  for (const note of outcome.notes) io.out(`note: ${note}\n`);
  const report = await writeReport(dir, outcome.runs, { base: 'sweep', scenario: base, distribution: true, png: opts.png !== false, extra: { ns, modes, notes: outcome.notes } });
  io.out('\nmeasured vs bound:\n');
  for (const line of pointLines(report.points)) io.out(`  ${line}\n`);
  for (const line of figureLines(report)) io.out(`${line}\n`);
  if (outcome.interrupted) process.exitCode = EXIT.interrupted;
}

export function registerLab(program: Command, io: LabIO = stdoutIO): Command {
  const lab = program.command('lab').description('distribution-time lab: client-server (HTTP) vs P2P (BitTorrent) on loopback, against the textbook bounds');
  scenarioOptions(lab.command('run').description('run one scenario (a JSON file and/or flags) and save results and figures').argument('[scenario]', 'scenario JSON file'), true)
    .option('--shaping <how>', 'throttle (ringswarm token buckets) or kernel (tc in a network namespace; Linux, root; P2P with tracker discovery)', 'throttle')
    .action(async (file: string | undefined, opts: FlagValues & { shaping?: string }) => labRun(file, opts, io));
  scenarioOptions(lab.command('sweep').description('distribution time vs N for both modes: the textbook figure, measured'), false)
    .option('--n <list>', 'values of N', SWEEP_NS.join(','))
    .option('--mode <mode>', 'both, p2p or client-server', 'both')
    .option('--no-slowdown', `run every P2P point at full rates (default: above ${FULL_RATE_PEERS} peers, rates ÷ N/${FULL_RATE_PEERS} so the CPU is not the bottleneck)`)
    .action(async (opts: FlagValues & { n?: string; mode?: string; slowdown?: boolean }) => labSweep(opts, io));
  lab.commands.forEach((c) => c.exitOverride());
  return lab;
}
