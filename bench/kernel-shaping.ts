/**
 * The in-process throttles against the kernel's: the same client-server scenarios run once
 * with ringswarm's token buckets and once shaped by tc (HTB) in a private network namespace
 * (Linux, root, iproute2). Prints both distribution times beside the bound N·F/u_s. tc counts
 * whole IP packets — 52 header bytes per 1448 of payload at MTU 1500 — so the kernel's payload
 * rate is u_s × 1448/1500 and its expected ratio about 1.036; the last column divides that out.
 *
 *   npx tsx bench/kernel-shaping.ts [--n 1,4,16] [--file 2MiB] [--up 2.5MiB]
 */
import { parseArgs } from 'node:util';
import { kernelShapingProblem, runClientServerKernel } from '../src/lab/kernel-shaping.ts';
import { makePlan } from '../src/lab/plan.ts';
import { runClientServer } from '../src/lab/run-client-server.ts';
import { parseScenario } from '../src/lab/scenario.ts';
import { SWEEP_SCENARIO } from '../src/lab/scenario-defaults.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1,4,16' }, file: { type: 'string', default: '2MiB' }, up: { type: 'string', default: '2.5MiB' } } });
const problem = await kernelShapingProblem();
if (problem) {
  console.log(`cannot compare: ${problem}`);
  process.exit(1);
}
const HEADER = 1500 / 1448;
console.log('N   bound (s)  throttle (s)  ratio   kernel (s)  ratio   kernel ÷ header overhead');
for (const n of values.n.split(',').map(Number)) {
  const s = parseScenario({ mode: 'client-server', n, fileBytes: values.file, serverUp: values.up }, SWEEP_SCENARIO);
  const plan = makePlan(s);
  const t = await runClientServer(plan);
  const k = await runClientServerKernel(plan);
  const f = (x: number | null, d = 3): string => (x === null ? '—' : x.toFixed(d));
  console.log(
    `${String(n).padEnd(3)} ${plan.bound.seconds.toFixed(3).padStart(9)}  ${f(t.distributionSeconds).padStart(12)}  ${f(t.ratio)}  ${f(k.distributionSeconds).padStart(10)}  ${f(k.ratio)}   ${f(k.ratio === null ? null : k.ratio / HEADER)}`,
  );
}
