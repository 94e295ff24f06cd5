/**
 * Bandwidth efficiency in a throttled swarm: one seed and 4 leechers with capped uploads and a
 * fast choker (the lab's conditions: rechoke every 200 ms, seed slots rotating). Every byte
 * uploaded should be a byte some leecher needed: before the send window, stale blocks and
 * idle-only endgame, such a swarm uploaded ~1.8·N·F and threw away over half of N·F.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Torrent } from '../../../../peer/session/torrent.ts';
import { hostThrottle } from '../../../../src/net/throttle.ts';
import { client, local, sameFiles, sessionCleanup } from './swarm-fixture.ts';

const KiB = 1024;
const { fixture, started } = sessionCleanup();

const chokerOptions = { rechokeIntervalMs: 200, optimisticIntervalMs: 600, snubMs: 1200, newPeerMs: 1200, seedQuantumMs: 600 };

describe('waste in a throttled swarm', () => {
  it('1 seed + 4 throttled leechers: uploaded ≤ 1.1·N·F, wasted < 5% of N·F', async () => {
    const N = 4;
    // 1 MiB in 16 KiB pieces (one block each, as in the lab); seed 1 MiB/s, leechers 256 KiB/s.
    const f = await fixture([600_000, 448_576], 16 * KiB);
    const F = f.metainfo.length;
    const seeder = started(client({ throttle: hostThrottle({ up: 1024 * KiB }), chokerOptions }));
    const seed = await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const leechers = Array.from({ length: N }, () => started(client({ throttle: hostThrottle({ up: 256 * KiB, down: 1024 * KiB }), chokerOptions })));
    for (const l of leechers) await l.start();
    const torrents = await Promise.all(
      leechers.map((l, i) => l.add(f.metainfo, { downloadDir: join(f.root, `leech${i}`), trackers: false, peers: [local(seeder), ...leechers.filter((o) => o !== l).map(local)] })),
    );
    const all = [seed, ...torrents];
    await Promise.all(torrents.map((t) => t.whenDone(AbortSignal.timeout(15_000))));
    const sum = (k: (t: Torrent) => number): number => all.reduce((a, t) => a + k(t), 0);
    const uploaded = sum((t) => t.stats().uploaded);
    const wasted = sum((t) => t.stats().wasted);
    for (let i = 0; i < N; i++) expect(await sameFiles(f, join(f.root, `leech${i}`))).toBe(true);
    const nf = N * F;
    expect(wasted).toBeLessThan(0.05 * nf);
    expect(uploaded).toBeLessThanOrEqual(1.1 * nf);
  }, 20_000);
});
