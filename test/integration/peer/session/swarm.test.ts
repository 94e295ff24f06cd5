import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { hostThrottle } from '../../../../src/net/throttle.ts';
import { client, local, sameFiles, sessionCleanup } from './swarm-fixture.ts';

const { fixture, started } = sessionCleanup();

describe('a swarm on 127.0.0.1', () => {
  it('one seeder and 3 leechers complete, and the leechers trade with each other', async () => {
    // 1 MiB in 32 KiB pieces; the seeder uploads at 512 KiB/s, so leechers finish faster by trading.
    const f = await fixture([300_000, 400_001, 348_575], 32 * 1024);
    const seeder = started(client({ throttle: hostThrottle({ up: 512 * 1024 }) }));
    const seed = await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const leechers = [0, 1, 2].map(() => started(client()));
    for (const l of leechers) await l.start();
    const torrents = await Promise.all(
      leechers.map((l, i) =>
        l.add(f.metainfo, {
          downloadDir: join(f.root, `leech${i}`),
          trackers: false,
          peers: [local(seeder), ...leechers.filter((o) => o !== l).map(local)],
        }),
      ),
    );
    await Promise.all(torrents.map((t) => t.whenDone(AbortSignal.timeout(12_000))));
    for (let i = 0; i < 3; i++) expect(await sameFiles(f, join(f.root, `leech${i}`))).toBe(true);
    const uploaded = torrents.map((t) => t.stats().uploaded);
    expect(uploaded.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(uploaded.filter((u) => u > 0).length).toBeGreaterThanOrEqual(2);
    // The seed sent less than three copies: the rest came from the leechers.
    expect(seed.stats().uploaded).toBeLessThan(3 * f.metainfo.length);
    const view = seeder.snapshot();
    expect(view.process.kind).toBe('client');
    expect(view.torrents?.[0]?.pieceCount).toBe(f.metainfo.pieceCount);
  });

  it('a throttled transfer (host cap 1 MiB/s, 2 MiB) takes about 2 s', async () => {
    const f = await fixture([1_048_576, 1_048_576], 64 * 1024);
    const seeder = started(client());
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const leecher = started(client({ throttle: hostThrottle({ down: 1024 * 1024 }) }));
    const t0 = performance.now();
    const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [local(seeder)] });
    await t.whenDone(AbortSignal.timeout(10_000));
    const s = (performance.now() - t0) / 1000;
    expect(await sameFiles(f, join(f.root, 'leech'))).toBe(true);
    expect(s).toBeGreaterThan(1.7);
    expect(s).toBeLessThan(3.5);
  });

  it('a per-torrent upload cap limits the seeder', async () => {
    const f = await fixture([524_288], 32 * 1024);
    const seeder = started(client());
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false, upload: 512 * 1024 });
    const leecher = started(client());
    const t0 = performance.now();
    const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [local(seeder)] });
    await t.whenDone(AbortSignal.timeout(10_000));
    const s = (performance.now() - t0) / 1000;
    expect(s).toBeGreaterThan(0.8);
    expect(s).toBeLessThan(2.5);
  });
});
