/**
 * The in-process throttles against the kernel's: the same scenarios run once with ringswarm's
 * token buckets and once shaped by tc (HTB classes by address) in a private network namespace
 * (Linux, root, iproute2), printing both distribution times beside the bound. tc counts whole IP
 * packets — 52 header bytes per 1448 of payload at MTU 1500 — so a kernel-shaped link carries
 * u × 1448/1500 of payload; the last column divides that overhead out.
 *
 *   npx tsx bench/kernel-shaping.ts [--cs 1,4,16] [--p2p 4,8,16] [--file 2MiB]
 *
 * Client-server: the server's upload and each client's download are shaped. P2P: each host's
 * upload is shaped (tracker discovery; downloads are not, d = u_s does not bind here).
 */
import { parseArgs } from 'node:util';
import { kernelShapingProblem, runKernelShaped } from '../src/lab/kernel-shaping.ts';
import { makePlan } from '../src/lab/plan.ts';
import type { RunResult } from '../src/lab/results.ts';
import { runClientServer } from '../src/lab/run-client-server.ts';
import { runP2P } from '../src/lab/run-p2p.ts';
import { parseScenario, type Mode } from '../src/lab/scenario.ts';
import { SWEEP_SCENARIO } from '../src/lab/scenario-defaults.ts';

const { values } = parseArgs({ options: { cs: { type: 'string', default: '1,4,16' }, p2p: { type: 'string', default: '4,8,16' }, file: { type: 'string', default: '2MiB' } } });
const problem = await kernelShapingProblem();
if (problem) {
  console.log(`cannot compare: ${problem}`);
  process.exit(1);
}
const HEADER = 1500 / 1448;
const f = (x: number | null, d = 3): string => (x === null ? '—' : x.toFixed(d));
console.log('mode            N   bound (s)  throttle (s)  ratio   kernel (s)  ratio   kernel ÷ header overhead');
const points: [Mode, string][] = [['client-server', values.cs], ['p2p', values.p2p]];
for (const [mode, list] of points) {
  for (const n of list.split(',').filter(Boolean).map(Number)) {
    const plan = makePlan(parseScenario({ mode, n, fileBytes: values.file }, SWEEP_SCENARIO));
    const t: RunResult = mode === 'p2p' ? await runP2P(plan) : await runClientServer(plan);
    const k = await runKernelShaped(plan);
    console.log(
      `${mode.padEnd(14)}  ${String(n).padEnd(3)} ${plan.bound.seconds.toFixed(3).padStart(9)}  ${f(t.distributionSeconds).padStart(12)}  ${f(t.ratio)}  ${f(k.distributionSeconds).padStart(10)}  ${f(k.ratio)}   ${f(k.ratio === null ? null : k.ratio / HEADER)}`,
    );
  }
}
