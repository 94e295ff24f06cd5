import { afterEach, describe, expect, it } from 'vitest';
import { DhtNode } from '../../../dht/node.ts';
import { FAST } from '../../helpers/dht-testnet.ts';

const nodes: DhtNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

describe('nodes listening on 0.0.0.0 (the CLI default)', () => {
  it('never hand out 0.0.0.0 as an address: refs are rewritten to where the answer came from', async () => {
    for (let i = 0; i < 4; i++) {
      const n = new DhtNode({ ...FAST, host: '0.0.0.0', port: 0 });
      // Everyone bootstraps from the first node at a real (loopback) address.
      const first = nodes[0];
      await n.start(first ? { host: '127.0.0.1', port: first.self.port } : undefined);
      nodes.push(n);
    }
    const deadline = Date.now() + 10_000;
    const hosts = (): string[] => nodes.flatMap((n) => [...n.core.successors, ...(n.core.predecessor ? [n.core.predecessor] : [])].map((r) => r.host));
    while (Date.now() < deadline && !(nodes.every((n) => n.core.successors.length >= 3) && hosts().every((h) => h === '127.0.0.1'))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(hosts().length).toBeGreaterThan(0);
    expect(new Set(hosts())).toEqual(new Set(['127.0.0.1']));
    // A lookup from the last node for the first node's id finds it at a reachable address.
    const r = await nodes[3]!.lookup(nodes[0]!.self.id);
    expect(r.owner).toMatchObject({ id: nodes[0]!.self.id, host: '127.0.0.1', port: nodes[0]!.self.port });
  }, 20_000);
});
