/**
 * Chord at scale on real UDP sockets (127.0.0.1, one process): rings of N nodes converge, then
 * 1000 random lookups from random nodes report hops (mean, p50, p99, against ½·log2 N, the
 * Chord paper's mean) and latency. Then churn on a ring of C nodes: 20% killed at once (lookup
 * success before and after repair, time to repair, records still retrievable), 20% leaving
 * gracefully one after another (records retrievable), and continuous churn (one join and one
 * departure per second) with the lookup success rate and the records still retrievable.
 *
 *   npx tsx bench/dht.ts [--sizes 16,64,256,1024] [--churn 200] [--lookups 1000] [--seconds 30]
 *                        [--replicas 3] [--sync-ms <ms, 0 = anti-entropy off>] [--records 500]
 *
 * --replicas counts copies besides the owner's (3 → 4 copies). Before anti-entropy the code
 * kept 3 copies in all: `--replicas 2 --sync-ms 0` reproduces it.
 *
 * Timers scale with N (one event loop carries every node): stabilize and fix_fingers slow down
 * for large rings, and we wait for convergence instead of guessing. Not pass/fail.
 */
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { testnet, type Testnet } from '../test/helpers/dht-testnet.ts';
import type { DhtNode, DhtNodeOptions } from '../dht/node.ts';
import type { NodeRef } from '../dht/core/node-ref.ts';
import type { Id160 } from '../src/naming/id160.ts';
import { randomId, sha1Id } from '../src/naming/id160.ts';
import { seededRandom, shuffled, type Random } from '../src/random.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '16,64,256,1024' },
    churn: { type: 'string', default: '200' },
    lookups: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    replicas: { type: 'string', default: '3' },
    'sync-ms': { type: 'string' },
    records: { type: 'string', default: '500' },
  },
});
const sizes = values.sizes.split(',').filter(Boolean).map(Number);
const churnN = Number(values.churn);
const lookups = Number(values.lookups);
const churnSeconds = Number(values.seconds);
const replicas = Number(values.replicas);
const syncMs = values['sync-ms'] === undefined ? undefined : Number(values['sync-ms']);
const recordCount = Number(values.records);
const random = seededRandom(20240606);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number, d = 2): string => x.toFixed(d);

/** Timers for a ring of n nodes in one event loop: about the same message rate whatever n. */
function timersFor(n: number): DhtNodeOptions {
  const k = Math.max(1, n / 64);
  return {
    stabilizeMs: Math.round(200 * k),
    fixFingersMs: Math.round(60 * k),
    checkPredecessorMs: Math.round(400 * k),
    rpcTimeoutMs: 250,
    rpcAttempts: 2,
    suspectTtlMs: 20_000,
    replicas,
    ...(syncMs === undefined ? {} : { syncIntervalMs: syncMs }),
  };
}

async function until(cond: () => boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) return false;
    await sleep(everyMs);
  }
  return true;
}

/** Whether a lookup's answer names the live owner: the first running node of owner + backups. */
function correct(net: Testnet, key: Id160, owner: NodeRef, backups: NodeRef[]): boolean {
  const running = new Set(net.live().map((x) => x.self.id));
  const first = [owner, ...backups].find((n) => running.has(n.id));
  return first !== undefined && first.id === net.trueOwner(key);
}

const pick = <T>(xs: T[], r: Random): T => xs[r.int(xs.length)]!;

const recordKeys = (tag: string): Id160[] => Array.from({ length: recordCount }, (_, i) => sha1Id(`${tag} ${i}`));
const enc = (k: Id160): Uint8Array => new TextEncoder().encode(k.toString(16));

async function putAll(net: Testnet, keys: Id160[]): Promise<void> {
  for (const k of keys) await pick(net.live(), random).put(k, enc(k), 3_600_000);
  await sleep(1000); // replication is asynchronous
}

/** Records a get from a random live node finds, and records with any live copy at all. */
async function retrievable(net: Testnet, keys: Id160[]): Promise<{ found: number; held: number }> {
  let found = 0;
  for (const k of keys) {
    const vals = await pick(net.live(), random).get(k).catch(() => []);
    if (vals.some((v) => new TextDecoder().decode(v) === k.toString(16))) found++;
  }
  const held = keys.filter((k) => net.live().some((n) => n.records.get(k, n.now).length > 0)).length;
  return { found, held };
}

function printRecords(label: string, r: { found: number; held: number }, total: number): void {
  console.log(`  records retrievable ${label}: ${r.found}/${total} (${f((100 * r.found) / total)}%); with a live copy: ${r.held}/${total}`);
}

/** Let anti-entropy run a couple of rounds (when it is on) after the ring repaired. */
async function settle(n: number): Promise<void> {
  const o = timersFor(n);
  const ms = o.syncIntervalMs ?? 5 * (o.stabilizeMs ?? 1000);
  if (ms > 0) await sleep(2.5 * ms);
}

async function build(n: number, opts: DhtNodeOptions): Promise<{ net: Testnet; buildMs: number; convergeMs: number }> {
  const t0 = Date.now();
  const net = await testnet(n, opts, { concurrency: Math.max(1, Math.min(32, Math.floor(n / 16))) });
  const buildMs = Date.now() - t0;
  await net.converged(Math.max(60_000, n * 300));
  // Fingers: wait until (nearly) every finger is right; hops depend on them.
  await until(() => net.fingerAccuracy() >= 0.99, Math.max(30_000, n * 200), 500);
  return { net, buildMs, convergeMs: Date.now() - t0 - buildMs };
}

async function measureLookups(net: Testnet, count: number): Promise<{ hops: number[]; ms: number[]; ok: number }> {
  const hops: number[] = [];
  const ms: number[] = [];
  let ok = 0;
  // A few at a time, as a busy ring would see them; latency is per lookup.
  const parallel = 8;
  let left = count;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (left-- > 0) {
        const key = randomId(random);
        const from = pick(net.live(), random);
        const t = performance.now();
        const r = await from.lookup(key).catch(() => null);
        ms.push(performance.now() - t);
        if (!r) continue;
        hops.push(r.hops);
        if (correct(net, key, r.owner, r.backups)) ok++;
      }
    }),
  );
  return { hops, ms, ok };
}

async function scale(): Promise<void> {
  console.log(`\nRing size sweep: ${lookups} random lookups from random nodes (8 in flight), real UDP on 127.0.0.1`);
  console.log('     N  build s  converge s  fingers ok   hops mean  p50  p99   ½log2N  log2N   latency ms mean  p50   p99   correct');
  for (const n of sizes) {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const { net, buildMs, convergeMs } = await build(n, timersFor(n));
    const acc = net.fingerAccuracy();
    loop.enable();
    const r = await measureLookups(net, lookups);
    loop.disable();
    const half = Math.log2(n) / 2;
    console.log(
      `${String(n).padStart(6)}  ${f(buildMs / 1000, 1).padStart(7)}  ${f(convergeMs / 1000, 1).padStart(10)}  ${f(100 * acc, 1).padStart(9)}%` +
        `   ${f(mean(r.hops)).padStart(9)}  ${String(pct(r.hops, 50)).padStart(3)}  ${String(pct(r.hops, 99)).padStart(3)}   ${f(half).padStart(6)}  ${f(2 * half, 1).padStart(5)}` +
        `   ${f(mean(r.ms), 1).padStart(15)}  ${f(pct(r.ms, 50), 1).padStart(4)}  ${f(pct(r.ms, 99), 1).padStart(5)}   ${r.ok}/${lookups}` +
        `   (event loop delay p99 ${f(loop.percentile(99) / 1e6, 1)} ms)`,
    );
    await net.stop();
  }
}

async function kill20(): Promise<void> {
  const n = churnN;
  console.log(`\nChurn: kill 20% of a ${n}-node ring at once (successor lists r=8, owner + ${replicas} replicas, anti-entropy ${describeSync(n)})`);
  const { net } = await build(n, timersFor(n));
  const keys = recordKeys('record');
  await putAll(net, keys);
  const victims = [...net.live()].sort(() => random.int(3) - 1).slice(0, Math.round(n * 0.2));
  const t0 = Date.now();
  await Promise.all(victims.map((v) => v.stop()));
  // Lookups during repair, as fast as they come, until the successor lists are right again.
  let during = 0;
  let duringOk = 0;
  let repaired = false;
  const conv = net.converged(120_000).then(
    () => void (repaired = true),
    (e: unknown) => console.log(`  not repaired: ${String(e)}`),
  );
  const hopsDuring: number[] = [];
  while (!repaired && Date.now() - t0 < 120_000) {
    const batch = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const key = randomId(random);
        const r = await pick(net.live(), random).lookup(key).catch(() => null);
        if (r) hopsDuring.push(r.hops);
        return r !== null && correct(net, key, r.owner, r.backups);
      }),
    );
    during += batch.length;
    duringOk += batch.filter(Boolean).length;
  }
  await conv;
  const repairMs = Date.now() - t0;
  console.log(`  lookups during repair: ${duringOk}/${during} correct (${f((100 * duringOk) / Math.max(1, during))}%), mean hops ${f(mean(hopsDuring))}`);
  console.log(`  successor lists and predecessors repaired in ${f(repairMs / 1000, 1)} s`);
  const after = await measureLookups(net, lookups);
  console.log(`  after repair: ${after.ok}/${lookups} lookups correct, mean hops ${f(mean(after.hops))}`);
  printRecords('after the kill and repair', await retrievable(net, keys), keys.length);
  await settle(n);
  printRecords('after anti-entropy rounds', await retrievable(net, keys), keys.length);
  await net.stop();
}

function describeSync(n: number): string {
  const o = timersFor(n);
  const ms = o.syncIntervalMs ?? 5 * (o.stabilizeMs ?? 1000);
  return ms > 0 ? `every ${ms} ms` : 'off';
}

async function graceful(): Promise<void> {
  const n = churnN;
  console.log(`\nGraceful leaves: 20% of a ${n}-node ring leave one after another (owner + ${replicas} replicas, anti-entropy ${describeSync(n)})`);
  const { net } = await build(n, timersFor(n));
  const keys = recordKeys('graceful');
  await putAll(net, keys);
  const t0 = Date.now();
  for (const v of shuffled(net.live(), random).slice(0, Math.round(n * 0.2))) await v.leave();
  console.log(`  ${Math.round(n * 0.2)} leaves in ${f((Date.now() - t0) / 1000, 1)} s`);
  printRecords('right after the leaves', await retrievable(net, keys), keys.length);
  await net.converged(120_000).catch((e: unknown) => console.log(`  not repaired: ${String(e)}`));
  await settle(n);
  printRecords('after repair and anti-entropy', await retrievable(net, keys), keys.length);
  await net.stop();
}

async function continuous(): Promise<void> {
  const n = churnN;
  console.log(`\nContinuous churn on ${n} nodes for ${churnSeconds} s: every second one node joins and one leaves (alternately graceful and killed)`);
  const opts = timersFor(n);
  const { net } = await build(n, opts);
  const keys = recordKeys('continuous');
  await putAll(net, keys);
  let stop = false;
  let joins = 0;
  let leaves = 0;
  const churner = (async () => {
    for (let s = 0; !stop; s++) {
      const t = Date.now();
      const victim = pick(net.live(), random) as DhtNode;
      if (s % 2 === 0) await victim.leave().catch(() => undefined);
      else await victim.stop();
      leaves++;
      await net.add().then(() => joins++, () => undefined);
      await sleep(Math.max(0, 1000 - (Date.now() - t)));
    }
  })();
  let total = 0;
  let ok = 0;
  const hops: number[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < churnSeconds * 1000) {
    const batch = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const key = randomId(random);
        const r = await pick(net.live(), random).lookup(key).catch(() => null);
        if (r) hops.push(r.hops);
        return r !== null && correct(net, key, r.owner, r.backups);
      }),
    );
    total += batch.length;
    ok += batch.filter(Boolean).length;
    await sleep(20);
  }
  stop = true;
  await churner;
  console.log(`  ${joins} joins, ${leaves} departures; lookups correct: ${ok}/${total} (${f((100 * ok) / Math.max(1, total))}%), mean hops ${f(mean(hops))}`);
  printRecords('right after the churn', await retrievable(net, keys), keys.length);
  await net.converged(120_000).catch((e: unknown) => console.log(`  not repaired: ${String(e)}`));
  await settle(n);
  printRecords('after repair and anti-entropy', await retrievable(net, keys), keys.length);
  await net.stop();
}

const t0 = Date.now();
if (sizes.length > 0) await scale();
if (churnN > 0) {
  await kill20();
  await graceful();
  if (churnSeconds > 0) await continuous();
}
console.log(`\nwall ${f((Date.now() - t0) / 1000, 1)} s, peak RSS ${f(process.resourceUsage().maxRSS / 1024, 0)} MiB`);
