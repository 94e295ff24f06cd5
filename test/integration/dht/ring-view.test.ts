/** The ring view a DHT node shows the TUI: filled from a live node on loopback. */
import { afterEach, describe, expect, it } from 'vitest';
import { testnet, type Testnet } from '../../helpers/dht-testnet.ts';
import { ringViewSource } from '../../../dht/ring-view.ts';
import { idToHex } from '../../../src/naming/id160.ts';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('ringViewSource', () => {
  it('shows true neighbours, fingers as runs, records held, lookup rate and mean hops', async () => {
    net = await testnet(8);
    await net.converged();
    await new Promise((r) => setTimeout(r, 300)); // a finger pass
    const x = net.nodes[0]!;
    const view = ringViewSource(x);
    const ring = [...net.live()].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
    const i = ring.indexOf(x);
    const v0 = view();
    expect(v0.id).toBe(idToHex(x.self.id));
    expect(v0.predecessor?.id).toBe(idToHex(ring[(i + 7) % 8]!.self.id));
    expect(v0.successors.map((s) => s.id)).toEqual(Array.from({ length: 7 }, (_, k) => idToHex(ring[(i + 1 + k) % 8]!.self.id)));
    // Runs: in order, disjoint, finger 0 is the successor.
    expect(v0.fingers[0]).toMatchObject({ from: 0, node: { id: idToHex(ring[(i + 1) % 8]!.self.id) } });
    for (let k = 1; k < v0.fingers.length; k++) expect(v0.fingers[k]!.from).toBeGreaterThan(v0.fingers[k - 1]!.to);
    await x.put(x.self.id, new Uint8Array([1]), 60_000);
    const before = x.lookupStats.count;
    for (let k = 0; k < 20; k++) await x.lookup(BigInt(k) << 150n);
    expect(x.lookupStats.count - before).toBeGreaterThanOrEqual(20);
    await new Promise((r) => setTimeout(r, 260));
    const v1 = view();
    expect(v1.records).toBeGreaterThanOrEqual(1);
    expect(v1.lookupsPerSec).toBeGreaterThan(0);
    expect(v1.meanHops).not.toBeNull();
  });
});
