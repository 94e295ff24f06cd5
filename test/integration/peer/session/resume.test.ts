import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { hostThrottle } from '../../../../src/net/throttle.ts';
import { client, local, sameFiles, sessionCleanup } from './swarm-fixture.ts';

const { fixture, started } = sessionCleanup();

describe('resume across clients sharing a level db', () => {
  it('a new client on the same dbDir + downloadDir fetches only the missing pieces', async () => {
    const f = await fixture([200_000, 300_001, 100_000], 32 * 1024);
    const seeder = started(client({ throttle: hostThrottle({ up: 1024 * 1024 }) }));
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const dbDir = join(f.root, 'db');
    const dl = join(f.root, 'leech');

    const first = client({ dbDir });
    const t1 = await first.add(f.metainfo, { downloadDir: dl, trackers: false, peers: [local(seeder)] });
    const half = Math.ceil(f.metainfo.pieceCount / 2);
    await new Promise<void>((r) => t1.on('verified', () => t1.stats().have >= half && r()));
    await first.stop();
    const had = t1.stats().have;
    const hadBytes = t1.stats().progress * f.metainfo.length;
    expect(had).toBeGreaterThanOrEqual(half);
    expect(had).toBeLessThan(f.metainfo.pieceCount);

    const second = started(client({ dbDir }));
    const t2 = await second.add(f.metainfo, { downloadDir: dl, trackers: false, peers: [local(seeder)] });
    expect(t2.stats().have).toBe(had);
    await t2.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f, dl)).toBe(true);
    const s = t2.stats();
    expect(s.refetched).toBe(0);
    expect(s.downloaded).toBe(f.metainfo.length - hadBytes);
  });

  it('seeding existing data with no resume record rechecks it; recheck finds a damaged piece', async () => {
    const f = await fixture();
    const a = started(client({ dbDir: join(f.root, 'db') }));
    const t = await a.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    expect(t.done).toBe(true);
    await a.remove(f.metainfo.infoHashHex);
    // Damage one byte of the first file, then recheck.
    const { open } = await import('node:fs/promises');
    const fh = await open(join(f.seedDir, 'multi', 'f0.bin'), 'r+');
    await fh.write(Uint8Array.of(0xff ^ (f.files[0]!.data[5] as number)), 0, 1, 5);
    await fh.close();
    const t2 = await a.add(f.metainfo, { downloadDir: f.seedDir, recheck: true, trackers: false });
    expect(t2.done).toBe(false);
    expect(t2.stats().have).toBe(f.metainfo.pieceCount - 1);
    expect(t2.stats().state).toBe('downloading');
  });
});
