/** Record handover and re-replication on real UDP nodes: joins into a ring of one, rate limits. */
import { afterEach, describe, expect, it } from 'vitest';
import { testnet, type Testnet } from '../../helpers/dht-testnet.ts';
import { DhtNode } from '../../../dht/node.ts';
import { FAST } from '../../helpers/dht-testnet.ts';
import { MAX_ID } from '../../../src/naming/id160.ts';

let net: Testnet | undefined;
const extra: DhtNode[] = [];
afterEach(async () => {
  await net?.stop();
  net = undefined;
  await Promise.all(extra.splice(0).map((n) => n.stop()));
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('record handover', () => {
  it('a node joining a ring of one (whose owner had no predecessor) receives the keys it now owns', async () => {
    const half = 1n << 159n;
    const a = new DhtNode({ ...FAST, id: half });
    extra.push(a);
    await a.start();
    const mine = [1n << 157n, 5n, MAX_ID]; // will belong to b: in (a, b] across the wrap
    const kept = [half - 7n, half]; // stay with a
    for (const k of [...mine, ...kept]) await a.put(k, enc(`v${k}`), 60_000);
    expect(a.core.predecessor).toBeNull();
    const b = new DhtNode({ ...FAST, id: 1n << 158n });
    extra.push(b);
    await b.start({ host: a.self.host, port: a.self.port });
    await until(() => a.core.predecessor?.id === b.self.id && b.core.predecessor?.id === a.self.id);
    await until(() => mine.every((k) => b.records.get(k, b.now).length === 1));
    // And a lookup-based get, which asks the owner b, finds them.
    for (const k of mine) expect(await a.get(k)).toEqual([enc(`v${k}`)]);
    for (const k of kept) expect(await b.get(k)).toEqual([enc(`v${k}`)]);
  });
});

describe('re-replication', () => {
  it('successor-list changes are coalesced (≤ 1 flush per interval) and the new replicas still get the records', async () => {
    const interval = 1500;
    // Anti-entropy off: this measures the push-on-change path alone.
    net = await testnet(6, { replicas: 3, replicationIntervalMs: interval, syncIntervalMs: 0 });
    await net.converged();
    const x = net.nodes[0]!;
    const keys = Array.from({ length: 10 }, (_, i) => x.self.id - BigInt(i));
    for (const k of keys) await x.put(k, enc(`r${k}`), 60_000);
    await sleep(interval + 100); // let the first flushes of the ring's own joins pass
    const before = x.replicator.stats.flushes;
    const t0 = Date.now();
    // Three new nodes right after x: x's successor list changes several times in quick succession.
    const fresh: DhtNode[] = [];
    for (let i = 1; i <= 3; i++) fresh.push(await net.add({ id: x.self.id + BigInt(i) }));
    await net.converged();
    // Its two new replicas (x+1, x+2) end up with every record x owns.
    await until(() => fresh.slice(0, 2).every((n) => keys.every((k) => n.records.get(k, n.now).length === 1)), 3 * interval);
    const elapsed = Date.now() - t0;
    const flushes = x.replicator.stats.flushes - before;
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThanOrEqual(Math.floor(elapsed / interval) + 1);
  });
});
