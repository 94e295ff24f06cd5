/**
 * The kernel-shaping backend (Linux, root, iproute2): a run inside a private network namespace
 * whose loopback carries every host on its own 127.x address, rate-limited by the kernel's
 * traffic control (HTB classes by address, see shapingCommands) instead of ringswarm's token
 * buckets — so the in-process throttles can be checked against the kernel's. Traffic never
 * leaves that namespace's lo.
 *
 * The namespace and its qdisc are set up here; the run itself happens in a child process
 * started with `ip netns exec` (kernel-shaping-child.ts), which hands its RunResult back
 * through a file. Ctrl-C kills the child and removes the namespace.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { AbortedError, ConfigError } from '../errors.ts';
import type { Plan } from './plan.ts';
import type { RunResult } from './results.ts';
import { TSX_IMPORT } from './tsx-loader.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./kernel-shaping-child.ts', import.meta.url));

/** The server's (client-server) or seeder's (P2P) address; the tracker stays on 127.0.0.1. */
export const SERVER_ADDRESS = '127.0.0.2';

/** Client i's address: 127.1.b.c, never .0 or .255 in the last byte. */
export function clientAddress(index: number): string {
  return `127.1.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

/** Why kernel shaping cannot run here, or undefined when it can. */
export async function kernelShapingProblem(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'kernel shaping needs Linux (network namespaces and tc)';
  if (process.getuid?.() !== 0) return 'kernel shaping needs root (ip netns, tc)';
  const probe = `ringswarm-probe-${process.pid}`;
  try {
    await run('ip', ['netns', 'add', probe]);
    await run('ip', ['netns', 'del', probe]);
    await run('tc', ['-V']);
  } catch (e) {
    return `kernel shaping unavailable: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  return undefined;
}

/** Seconds of a class's rate its queue holds. */
const QUEUE_SECONDS = 0.15;

const bits = (bytesPerSecond: number): string => `${Math.max(8, Math.floor(bytesPerSecond * 8))}bit`;

/**
 * The commands that shape a plan in namespace `ns` (pure, for tests). lo's MTU is set to
 * Ethernet's so HTB paces packets of a real link's size, not 64 KiB loopback frames.
 * Client-server: the server's upload is a class at u_s, each client a child class capped at d_i
 * (by destination). P2P: each host's upload is a class at its u (by source address); downloads
 * are not shaped (one HTB tree classifies a packet once), so a P2P plan whose bound is set by
 * F/d_min is refused.
 */
export function shapingCommands(ns: string, plan: Plan): string[][] {
  const s = plan.scenario;
  const tc = (...args: string[]): string[] => ['tc', '-n', ns, ...args];
  const cmds: string[][] = [
    ['ip', 'netns', 'add', ns],
    ['ip', '-n', ns, 'link', 'set', 'lo', 'mtu', '1500'],
    ['ip', '-n', ns, 'link', 'set', 'lo', 'up'],
    tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '2'),
    // Everything not classified below (the tracker; in client-server also requests and ACKs): unshaped.
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:2', 'htb', 'rate', '10gbit'),
    // The server's (seeder's) upload, u_s.
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', bits(s.serverUp), 'ceil', bits(s.serverUp)),
  ];
  const classOf = (index: number): string => `1:${(index + 16).toString(16)}`;
  // Each shaped class queues ~0.15 s of its rate (as the in-process throttle's send window), not
  // HTB's 1000-packet FIFO: seconds of queue at 256 KiB/s would hold every REQUEST a host sends
  // behind its own uploads. (pfifo: fq_codel and sfq are modules a container may lack.)
  const leafQueue = (classid: string, rate: number): string[] => tc('qdisc', 'add', 'dev', 'lo', 'parent', classid, 'pfifo', 'limit', String(Math.max(10, Math.ceil((rate * QUEUE_SECONDS) / 1500))));
  const filter = (match: string[], flowid: string): string[] => tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', ...match, 'flowid', flowid);
  if (s.mode === 'p2p') {
    cmds.push(leafQueue('1:1', s.serverUp));
    cmds.push(filter(['match', 'ip', 'src', `${SERVER_ADDRESS}/32`], '1:1'));
    // Free riders send no payload (the client refuses): their protocol messages stay unshaped.
    for (const p of plan.peers.filter((x) => !x.freeRider)) {
      cmds.push(tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', classOf(p.index), 'htb', 'rate', bits(p.up), 'ceil', bits(p.up)));
      cmds.push(leafQueue(classOf(p.index), p.up));
      cmds.push(filter(['match', 'ip', 'src', `${clientAddress(p.index)}/32`], classOf(p.index)));
    }
    return cmds;
  }
  for (const p of plan.peers) {
    const ceil = Math.min(p.down, s.serverUp);
    // Guaranteed an equal share of u_s (never above its own cap: HTB needs rate ≤ ceil).
    cmds.push(tc('class', 'add', 'dev', 'lo', 'parent', '1:1', 'classid', classOf(p.index), 'htb', 'rate', bits(Math.min(s.serverUp / plan.peers.length, ceil)), 'ceil', bits(ceil)));
    cmds.push(filter(['match', 'ip', 'src', `${SERVER_ADDRESS}/32`, 'match', 'ip', 'dst', `${clientAddress(p.index)}/32`], classOf(p.index)));
  }
  return cmds;
}

/** Why this plan cannot be kernel-shaped, or undefined. */
export function kernelPlanProblem(plan: Plan): string | undefined {
  const s = plan.scenario;
  if (plan.peers.length > 62_500) return 'kernel shaping addresses at most 62,500 peers';
  if (s.mode === 'p2p' && s.discovery !== 'tracker') return `kernel-shaped P2P needs discovery 'tracker' (DHT traffic is not bound to the hosts' addresses), got '${s.discovery}'`;
  if (s.mode === 'p2p' && plan.bound.term === 'slowest-download') return 'kernel-shaped P2P shapes uploads only, and this bound is set by F/d_min';
  return undefined;
}

export interface KernelRunOptions {
  readonly signal?: AbortSignal;
  readonly repeat?: number;
}

/** Runs a plan (either mode) under kernel shaping; the result is marked `shaping: 'kernel'`. */
export async function runKernelShaped(plan: Plan, o: KernelRunOptions = {}): Promise<RunResult & { shaping: 'kernel' }> {
  const bad = kernelPlanProblem(plan);
  if (bad) throw new ConfigError(bad);
  const problem = await kernelShapingProblem();
  if (problem) throw new ConfigError(problem);
  if (o.signal?.aborted) throw new AbortedError();
  const ns = `ringswarm-lab-${process.pid}-${Date.now().toString(36)}`;
  const dir = await mkdtemp(join(tmpdir(), 'ringswarm-tc-'));
  try {
    for (const cmd of shapingCommands(ns, plan)) await run(cmd[0] as string, cmd.slice(1));
    const input = join(dir, 'plan.bin');
    const output = join(dir, 'result.bin');
    await writeFile(input, serialize({ plan, repeat: o.repeat ?? 0 }));
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...TSX_IMPORT, CHILD, input, output], { stdio: ['ignore', 'inherit', 'inherit'] });
    const onAbort = (): void => void child.kill('SIGTERM');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    }).finally(() => o.signal?.removeEventListener('abort', onAbort));
    if (code !== 0 && !o.signal?.aborted) throw new Error(`kernel-shaped run failed (exit ${code})`);
    const result = deserialize(await readFile(output)) as RunResult;
    return { ...result, shaping: 'kernel' };
  } finally {
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
