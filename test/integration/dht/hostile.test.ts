/** A ring member that lies: lookups time out on its bogus hops and continue elsewhere. */
import { afterEach, describe, expect, it } from 'vitest';
import { testnet, type Testnet } from '../../helpers/dht-testnet.ts';
import { DhtPeerSource } from '../../../dht/peer-source.ts';
import { idToBytes, randomId, sha1Id } from '../../../src/naming/id160.ts';
import { seededRandom } from '../../../src/random.ts';
import { UdpRpc } from '../../../src/net/udp-rpc.ts';
import { bindUdp } from '../../../src/net/udp.ts';
import { dhtCodec } from '../../../dht/rpc/codec.ts';
import type { DhtRequest, DhtResponse } from '../../../dht/rpc/messages.ts';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('hostile and peer-source', () => {
  it('bogus next hops (unreachable endpoints, backwards ids) cost a failed hop, not the lookup', async () => {
    // Short successor lists, so routing has to go through (poisoned) fingers.
    net = await testnet(8, { successorListLength: 2 });
    await net.converged();
    const random = seededRandom(1);
    // A liar that is not on the ring but answers every find with junk hops.
    const sock = await bindUdp();
    const liar = new UdpRpc<DhtRequest, DhtResponse>({
      socket: sock,
      codec: dhtCodec(),
      handler: (req) =>
        req.t === 'find'
          ? { t: 'route', forward: [{ id: req.key - 50n, host: '127.0.0.1', port: 9 }, { id: req.key + 5n, host: '127.0.0.1', port: 9 }] }
          : { t: 'pong', id: 1n },
    });
    try {
      const origin = net.nodes[0]!;
      // Poison the origin's view: the liar as a finger right before every key we look up.
      for (let i = 0; i < 10; i++) {
        let key = randomId(random);
        // Only keys the origin must route for (not answered from its own successor list).
        while ('found' in origin.core.route(key, Date.now())) key = randomId(random);
        for (let f = 0; f < 160; f++) origin.core.setFinger(f, { id: key - 100n, host: sock.local.host, port: sock.local.port });
        const asked = liar.stats.handled;
        const r = await origin.lookup(key);
        expect(liar.stats.handled).toBeGreaterThan(asked); // the liar was consulted and lied
        const ids = net.nodes.map((n) => n.self.id).sort((a, b) => (a < b ? -1 : 1));
        expect(r.owner.id).toBe(ids.find((id) => id >= key) ?? ids[0]);
      }
    } finally {
      liar.close();
      await sock.close();
    }
  });

  it('DhtPeerSource: announce and find each other by infohash', async () => {
    net = await testnet(5);
    await net.converged();
    const ih = idToBytes(sha1Id('a torrent'));
    const a = new DhtPeerSource(net.nodes[1]!);
    const b = new DhtPeerSource(net.nodes[3]!);
    await a.getPeers(ih, 7001);
    const peers = await b.getPeers(ih, 7002);
    expect(peers.map((p) => p.port).sort()).toEqual([7001, 7002]);
  });
});
