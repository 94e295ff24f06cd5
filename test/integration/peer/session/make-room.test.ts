/**
 * A full torrent makes room for an incoming peer by dropping one with no interest either way.
 * Two empty leechers fill L's two peer slots; a seeder that joins later dials L: L drops an
 * idle leecher, takes the seeder, and completes. Without the rule L refuses the seeder and the
 * swarm stays empty-handed (what split a 64-peer lab swarm in two).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { client, local, sameFiles, sessionCleanup } from './swarm-fixture.ts';

const { fixture, started } = sessionCleanup();

describe('a full torrent', () => {
  it('drops an idle peer to take a seeder that dials in', async () => {
    const f = await fixture([300_000], 32 * 1024);
    const l = started(client({ maxPeersPerTorrent: 2 }));
    await l.start();
    const others = [started(client()), started(client())];
    for (const o of others) await o.start();
    const t = await l.add(f.metainfo, { downloadDir: join(f.root, 'l'), trackers: false, peers: others.map(local) });
    for (const [i, o] of others.entries()) await o.add(f.metainfo, { downloadDir: join(f.root, `o${i}`), trackers: false });
    const until = Date.now() + 5000;
    while (t.stats().peers < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(t.stats().peers).toBe(2);
    await new Promise((r) => setTimeout(r, 600)); // idle for longer than the 500 ms grace
    const seeder = started(client());
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false, peers: [local(l)] });
    await t.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f, join(f.root, 'l'))).toBe(true);
    expect(t.stats().peers).toBeLessThanOrEqual(2);
  });
});
