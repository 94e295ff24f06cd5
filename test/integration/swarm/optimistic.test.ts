/**
 * A newcomer with nothing to trade gets its first piece through an optimistic unchoke. Five
 * leechers trade with each other (one regular slot each); the seed (u_s = 2u) is not the
 * bottleneck, so each leecher has pieces the others want and every regular slot is claimed by
 * a trade partner. (With a slow seed, measured: the leechers held the same pieces, were not
 * interested in each other, and the newcomer won an empty regular slot 10–90 ms after
 * connecting.) A sixth joins late, connected to the leechers only (not the seed, which would
 * serve it by round robin), with nothing to offer. Its first block must come from a peer that
 * unchoked it optimistically — flag 'O' in that peer's view — since tit-for-tat would not pick
 * it: it sends nothing, has nothing we want and chokes us, so it ranks last.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testSwarm, type SwarmPeer, type TestSwarm } from '../../helpers/swarm.ts';

const KiB = 1024;
let swarm: TestSwarm | undefined;
afterEach(async () => {
  await swarm?.stop();
  swarm = undefined;
});

interface FirstBlock {
  from: SwarmPeer;
  atMs: number;
  /** The uploader's view of the newcomer at that moment. */
  flags: string;
  optimistic: boolean;
  amChoking: boolean;
}

describe('a newcomer', () => {
  it('gets its first block from a peer that unchoked it optimistically', async () => {
    const u = 192 * KiB;
    const scaled = { rechokeIntervalMs: 200, rateWindowMs: 1_000, optimisticIntervalMs: 1_000, snubMs: 5_000, newPeerMs: 1_000, seedQuantumMs: 1_000 };
    swarm = await testSwarm(5, {
      fileBytes: 2048 * KiB,
      seedUp: 2 * u,
      peerUp: u,
      // newPeerMs: peers younger than 1 s get ×3 weight for the optimistic slot (only the newcomer by then).
      client: { chokerOptions: { slots: 1, ...scaled } },
      // The seed serves all five at once, so each trader keeps getting pieces the others want.
      seedClient: { chokerOptions: { slots: 5, ...scaled } },
    });
    const s = swarm;
    const traders = [...s.peers];
    // Let the regular slots fill with reciprocating peers first.
    await new Promise((r) => setTimeout(r, 1_500));
    const progress = traders.map((p) => p.have / s.fixture.metainfo.pieceCount);
    expect(Math.max(...progress)).toBeLessThan(0.7); // still trading, nobody seeding yet

    const newcomer = await s.join({ peers: traders.map((p) => p.client) });
    const byPort = new Map(traders.map((p) => [p.client.port, p]));
    const first = new Promise<FirstBlock>((resolve) => {
      newcomer.torrent.on('wire', (address, wire) => {
        wire.once('piece', () => {
          const from = byPort.get(Number(address.slice(address.lastIndexOf(':') + 1)));
          if (!from) return;
          const at = s.addressAt(from.torrent, newcomer.client);
          const entry = (from.torrent.view().peerList ?? []).find((e) => e.address === at);
          resolve({ from, atMs: s.elapsed() - newcomer.joinedAt, flags: entry?.flags ?? '?', optimistic: entry?.optimistic ?? false, amChoking: entry?.amChoking ?? true });
        });
      });
    });
    const got = await Promise.race([first, new Promise<undefined>((r) => setTimeout(() => r(undefined), 6_000))]);
    expect(got, 'the newcomer received no block within 6 s').toBeDefined();
    console.log(`newcomer's first block after ${got!.atMs.toFixed(0)} ms from leecher ${got!.from.index}, whose flags for it were '${got!.flags}'`);
    expect(got!.amChoking).toBe(false);
    expect(got!.optimistic).toBe(true);
    expect(got!.flags).toContain('O');
  }, 20_000);
});
