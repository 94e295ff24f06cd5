/**
 * Inside the shaped namespace (started by kernel-shaping.ts with `ip netns exec`): runs the
 * plan (either mode) with the in-process throttles off and each host on its own address, and
 * writes the RunResult (v8-serialized: rates may be Infinity) to the output file. SIGTERM stops
 * the run and still writes what was measured.
 *
 *   node --import tsx kernel-shaping-child.ts <plan file> <result file>
 */
import { readFile, writeFile } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { clientAddress, SERVER_ADDRESS } from './kernel-shaping.ts';
import type { Plan } from './plan.ts';
import { runClientServer } from './run-client-server.ts';
import { runP2P } from './run-p2p.ts';

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  process.stderr.write('usage: kernel-shaping-child <plan file> <result file>\n');
  process.exit(2);
}
const { plan, repeat } = deserialize(await readFile(input)) as { plan: Plan; repeat: number };
const ac = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => ac.abort());
const result =
  plan.scenario.mode === 'p2p'
    ? await runP2P(plan, { signal: ac.signal, repeat, kernelShaped: { seeder: SERVER_ADDRESS, peer: clientAddress } })
    : await runClientServer(plan, { signal: ac.signal, repeat, kernelShaped: { server: SERVER_ADDRESS, client: clientAddress } });
await writeFile(output, serialize(result));
