/**
 * Tit-for-tat punishes a free rider. The seed's upload is small next to the leechers' (u_s = u/2),
 * so leechers get most of the file from each other and reciprocity decides who gets what: a peer
 * that never uploads only ever gets optimistic unchokes (and its round-robin share of the seed),
 * while the others fill each other's regular slots.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { median, testSwarm, type TestSwarm } from '../../helpers/swarm.ts';

const KiB = 1024;
let swarm: TestSwarm | undefined;
afterEach(async () => {
  await swarm?.stop();
  swarm = undefined;
});

/**
 * KNOWN FAILING (it.fails), measured at commit eb201c6: the free rider is NOT served worse. It is
 * unchoked by more peers on average than the reciprocating ones (2.8 vs 1.9–2.4 over 7 s) and
 * is at or above their median progress throughout. Likely cause: a reciprocating peer chosen
 * as optimistic is soon promoted to a regular slot, which frees the optimistic slot for a new
 * draw, while the free rider is never promoted and keeps the slot for a whole interval — so the
 * optimistic slot ends up mostly the free rider's. Remove `.fails` once the choker punishes it.
 */
describe('a free rider in a trading swarm', () => {
  it.fails('gets a lower download rate than reciprocating peers while they trade', async () => {
    const u = 160 * KiB;
    // 6 reciprocating leechers + 1 free rider (index 6). Two regular slots each, so every
    // leecher has more reciprocating neighbours than slots and the optimistic slot rotates
    // among 3 or 4 candidates, the free rider being only one of them.
    swarm = await testSwarm(7, {
      fileBytes: 768 * KiB,
      seedUp: u / 2,
      peerUp: u,
      peerDown: 3 * u,
      freeRiders: [6],
      client: { chokerOptions: { slots: 2, rechokeIntervalMs: 200, optimisticIntervalMs: 600, snubMs: 3_000, newPeerMs: 0, seedQuantumMs: 600 } },
    });
    const s = swarm;
    const rider = s.peers.find((p) => p.freeRider)!;
    const others = s.peers.filter((p) => !p.freeRider);
    const pieces = s.fixture.metainfo.pieceCount;

    // Progress while everyone is still trading: when the median reciprocating peer passes 60 %
    // (or after 10 s), not at completion, when finished peers seed to the free rider too.
    const progress = () => ({ rider: rider.have / pieces, others: others.map((q) => q.have / pieces) });
    const mid = await new Promise<ReturnType<typeof progress>>((resolve) => {
      const t0 = s.elapsed();
      const timer = setInterval(() => {
        const p = progress();
        if (median(p.others) >= 0.6 || s.elapsed() - t0 > 10_000) {
          clearInterval(timer);
          resolve(p);
        }
      }, 50);
    });
    console.log(`mid-run: free rider ${(100 * mid.rider).toFixed(0)} %, others ${mid.others.map((x) => (100 * x).toFixed(0)).join(' ')} %`);
    console.log(`uploaded (KiB): ${s.peers.map((p) => `${p.index}${p.freeRider ? '(fr)' : ''}=${Math.round(p.torrent.stats().uploaded / KiB)}`).join(' ')}; seed ${Math.round(s.seed.stats().uploaded / KiB)}`);

    // The free rider really uploaded nothing, and the others traded.
    expect(rider.torrent.stats().uploaded).toBe(0);
    for (const p of others) expect(p.torrent.stats().uploaded).toBeGreaterThan(0);
    // While the others were still trading it had clearly less than the median of them.
    expect(mid.rider).toBeLessThan(0.8 * median(mid.others));
  }, 20_000);
});
