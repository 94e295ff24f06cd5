/** Real DHT nodes over UDP on 127.0.0.1: convergence, lookups, records, leaves and kills. */
import { afterEach, describe, expect, it } from 'vitest';
import { testnet, type Testnet } from '../../helpers/dht-testnet.ts';
import { randomId, sha1Id } from '../../../src/naming/id160.ts';
import { seededRandom } from '../../../src/random.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { DhtNode } from '../../../dht/node.ts';
import { bindUdp } from '../../../src/net/udp.ts';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

const trueOwner = (t: Testnet, key: bigint): bigint => {
  const ids = t.nodes.filter((n) => n.isRunning).map((n) => n.self.id).sort((a, b) => (a < b ? -1 : 1));
  return ids.find((id) => id >= key) ?? ids[0]!;
};
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('DHT testnet', () => {
  it('a ring of one answers its own lookups and records', async () => {
    net = await testnet(1);
    const [a] = net.nodes;
    expect((await a!.lookup(123n)).owner.id).toBe(a!.self.id);
    await a!.put(5n, enc('x'), 60_000);
    expect(await a!.get(5n)).toEqual([enc('x')]);
  });

  it('16 nodes converge and every lookup reaches the true owner', async () => {
    net = await testnet(16);
    await net.converged();
    const random = seededRandom(3);
    const hops: number[] = [];
    for (let i = 0; i < 40; i++) {
      const key = randomId(random);
      const from = net.nodes[random.int(16)]!;
      const r = await from.lookup(key);
      expect(r.owner.id).toBe(trueOwner(net, key));
      hops.push(r.hops);
    }
    console.log(`16 UDP nodes: mean hops ${(hops.reduce((a, b) => a + b, 0) / hops.length).toFixed(2)}`);
  });

  it('records survive a graceful leave and an abrupt kill', async () => {
    net = await testnet(8, { replicas: 3 });
    await net.converged();
    const keys = Array.from({ length: 20 }, (_, i) => sha1Id(`k${i}`));
    for (const k of keys) await net.nodes[0]!.put(k, enc(k.toString(16)), 60_000);
    await new Promise((r) => setTimeout(r, 200)); // replication is asynchronous
    await net.nodes[3]!.leave();
    await net.nodes[5]!.stop(); // killed: no goodbye
    await net.converged();
    const reader = net.nodes[1]!;
    let found = 0;
    for (const k of keys) if ((await reader.get(k)).some((v) => new TextDecoder().decode(v) === k.toString(16))) found++;
    expect(found).toBe(keys.length);
  });

  it('20% of 20 nodes killed at once: lookups route around them and the ring heals', async () => {
    net = await testnet(20);
    await net.converged();
    for (const i of [2, 7, 11, 15]) await net.nodes[i]!.stop();
    const random = seededRandom(9);
    let ok = 0;
    for (let i = 0; i < 20; i++) {
      const key = randomId(random);
      const r = await net.nodes[0]!.lookup(key).catch(() => null);
      if (r && [r.owner, ...r.backups].find((n) => net!.nodes.find((x) => x.self.id === n.id)?.isRunning)?.id === trueOwner(net, key)) ok++;
    }
    console.log(`UDP churn: ${ok}/20 lookups found the live owner before repair`);
    const t0 = Date.now();
    await net.converged(10_000);
    console.log(`UDP churn: ring repaired in ${Date.now() - t0} ms`);
    for (let i = 0; i < 20; i++) {
      const key = randomId(random);
      expect((await net.nodes[1]!.lookup(key)).owner.id).toBe(trueOwner(net, key));
    }
  });

  it('announce and getPeers: a trackerless swarm finds its peers', async () => {
    net = await testnet(6);
    await net.converged();
    const ih = sha1Id('some torrent');
    await net.nodes[1]!.announce(ih, 6881);
    await net.nodes[2]!.announce(ih, 6882);
    const peers = await net.nodes[4]!.getPeers(ih);
    expect(peers.map((p) => p.port).sort()).toEqual([6881, 6882]);
    expect(peers.every((p) => p.host === '127.0.0.1')).toBe(true);
  });

  it('records persist in level across a restart', async () => {
    const dir = await tempDir('dht-db-');
    try {
      const a = new DhtNode({ db: dir.path });
      await a.start();
      await a.put(42n, enc('kept'), 60_000);
      await a.stop();
      const b = new DhtNode({ db: dir.path });
      await b.start();
      expect(await b.get(42n)).toEqual([enc('kept')]);
      await b.stop();
    } finally {
      await dir.cleanup();
    }
  });

  it('garbage datagrams are counted and ignored; the node keeps routing', async () => {
    net = await testnet(3);
    await net.converged();
    const target = net.nodes[1]!;
    const s = await bindUdp();
    for (const junk of [new Uint8Array([1, 2, 3]), new Uint8Array(3000), enc('{"t":"ping"}'), new Uint8Array([0x93, 0, 1, 0xc0])]) {
      await s.send(junk, { host: target.self.host, port: target.self.port });
    }
    await new Promise((r) => setTimeout(r, 100));
    await s.close();
    expect(target.rpc.stats.garbage).toBeGreaterThanOrEqual(3);
    expect((await net.nodes[0]!.lookup(target.self.id)).owner.id).toBe(target.self.id);
  });
});
