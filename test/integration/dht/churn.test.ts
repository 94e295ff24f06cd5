/**
 * Churn on a ring of real UDP nodes: 20% killed at once. Lookups made before repair must find
 * the live owner through successor lists (goal ≥ 99%), the ring must repair, every lookup after
 * repair must be right, and records stored with 3 replicas must still be found.
 * 200 nodes run in about 14 s on 2 cores; DHT_CHURN_N overrides the size. bench/dht.ts goes further.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testnet, type Testnet } from '../../helpers/dht-testnet.ts';
import { randomId, sha1Id } from '../../../src/naming/id160.ts';
import { seededRandom, shuffled } from '../../../src/random.ts';

const N = Number(process.env.DHT_CHURN_N ?? 200);
let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe(`churn on ${N} UDP nodes`, () => {
  it('kill 20% at once: ≥ 99% of lookups right before repair, 100% after, records kept', { timeout: 90_000 }, async () => {
    const k = Math.max(1, N / 64);
    net = await testnet(
      N,
      { stabilizeMs: Math.round(150 * k), fixFingersMs: Math.round(50 * k), checkPredecessorMs: Math.round(300 * k), rpcTimeoutMs: 150, rpcAttempts: 2, suspectTtlMs: 20_000, replicas: 3 },
      { concurrency: 8 },
    );
    await net.converged(40_000);
    const random = seededRandom(66);
    const keys = Array.from({ length: 100 }, (_, i) => sha1Id(`churn ${i}`));
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    for (const key of keys) await net.nodes[random.int(N)]!.put(key, enc(key.toString(16)), 600_000);
    await new Promise((r) => setTimeout(r, 500)); // replication is asynchronous
    const victims = shuffled(net.nodes, random).slice(0, Math.round(N * 0.2));
    await Promise.all(victims.map((v) => v.stop()));
    // With 3 random replicas, 0.2³ ≈ 0.8% of records lose every copy to a random 20% kill: the
    // assertion is on the records that kept one (all of them must be found), the share is logged.
    const survivors = keys.filter((key) => net!.live().some((n) => n.records.get(key, n.now).length > 0));
    const live = net.live();
    const running = new Set(live.map((x) => x.self.id));
    let ok = 0;
    const before = 100;
    await Promise.all(
      Array.from({ length: before }, async () => {
        const key = randomId(random);
        const r = await live[random.int(live.length)]!.lookup(key).catch(() => null);
        const first = r && [r.owner, ...r.backups].find((n) => running.has(n.id));
        if (first?.id === net!.trueOwner(key)) ok++;
      }),
    );
    const t0 = Date.now();
    await net.converged(30_000);
    console.log(`churn ${N}: ${ok}/${before} lookups right before repair; repaired in ${Date.now() - t0} ms`);
    expect(ok).toBeGreaterThanOrEqual(Math.ceil(before * 0.99));
    for (let i = 0; i < 100; i++) {
      const key = randomId(random);
      expect((await live[random.int(live.length)]!.lookup(key)).owner.id).toBe(net.trueOwner(key));
    }
    let found = 0;
    for (const key of survivors) if ((await live[random.int(live.length)]!.get(key)).some((v) => new TextDecoder().decode(v) === key.toString(16))) found++;
    console.log(`churn ${N}: ${survivors.length}/${keys.length} records kept a live copy; ${found}/${survivors.length} of those found`);
    expect(survivors.length).toBeGreaterThanOrEqual(95);
    expect(found).toBe(survivors.length);
  });
});
