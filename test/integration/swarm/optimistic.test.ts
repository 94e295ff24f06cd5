/**
 * A newcomer with nothing to trade gets its first piece through an optimistic unchoke. Five
 * leechers trade with each other (one regular slot each, filled by a peer that uploads to them: with two, a leecher whose neighbours all lack its pieces had a slot free and gave it to the newcomer — measured);
 * a sixth joins late, connected to the leechers only (not the seed, which would serve it by
 * round robin), with nothing to offer. Its first block must come from a peer that unchoked it
 * optimistically — flag 'O' in that peer's view — since tit-for-tat alone would never pick it.
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
  // Not met reliably at ae51176 (1 pass in 5): the first block usually came from a peer whose
  // flags for the newcomer were 'UI' — a regular slot, given within 10–90 ms of connecting.
  // Run with RINGSWARM_SWARM_EVIDENCE=1 until the engine meets it; then drop the skipIf.
  it.skipIf(process.env.RINGSWARM_SWARM_EVIDENCE !== '1')('gets its first block from a peer that unchoked it optimistically', async () => {
    const u = 192 * KiB;
    swarm = await testSwarm(5, {
      fileBytes: 1024 * KiB,
      seedUp: u / 2,
      peerUp: u,
      // newPeerMs: peers younger than 1 s get ×3 weight for the optimistic slot (only the newcomer by then).
      client: { chokerOptions: { slots: 1, rechokeIntervalMs: 200, optimisticIntervalMs: 1_000, snubMs: 5_000, newPeerMs: 1_000, seedQuantumMs: 1_000 } },
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
