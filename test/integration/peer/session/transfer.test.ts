import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { client, local, sameFiles, sessionCleanup } from './swarm-fixture.ts';

const { fixture, started } = sessionCleanup();


describe('two clients on 127.0.0.1', () => {
  it('transfer a multi-file torrent byte for byte (pieces spanning files, short last piece)', async () => {
    const f = await fixture();
    expect(f.metainfo.length % f.metainfo.pieceLength).not.toBe(0);
    const seeder = started(client());
    const seed = await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    expect(seed.done).toBe(true);
    expect(seed.stats().state).toBe('seeding');

    const leecher = started(client());
    const dl = join(f.root, 'leech');
    const t = await leecher.add(f.metainfo, { downloadDir: dl, trackers: false, peers: [local(seeder)] });
    const verified: number[] = [];
    t.on('verified', (p) => verified.push(p));
    await t.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f, dl)).toBe(true);
    const s = t.stats();
    expect(s.progress).toBe(1);
    expect(s.state).toBe('seeding');
    expect(s.downloaded).toBe(f.metainfo.length);
    expect(s.wasted).toBe(0);
    expect(new Set(verified).size).toBe(f.metainfo.pieceCount);
    expect(seed.stats().uploaded).toBe(f.metainfo.length);
  });

  it('one listening port serves two torrents; pause stops a download and resume finishes it', async () => {
    const f1 = await fixture();
    const f2 = await fixture([70_000, 3], 16 * 1024);
    const seeder = started(client());
    await seeder.add(f1.metainfo, { downloadDir: f1.seedDir, seed: true, trackers: false });
    await seeder.add(f2.metainfo, { downloadDir: f2.seedDir, seed: true, trackers: false });
    expect(seeder.torrents.length).toBe(2);
    const leecher = started(client());
    const a = await leecher.add(f1.metainfo, { downloadDir: join(f1.root, 'leech'), trackers: false, peers: [local(seeder)], paused: true });
    const b = await leecher.add(f2.metainfo, { downloadDir: join(f2.root, 'leech'), trackers: false, peers: [local(seeder)] });
    await b.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f2, join(f2.root, 'leech'))).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.stats().state).toBe('paused');
    expect(a.stats().downloaded).toBe(0);
    a.resume();
    await a.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f1, join(f1.root, 'leech'))).toBe(true);
    const snap = leecher.snapshot();
    expect(snap.torrents?.map((t) => t.state).sort()).toEqual(['seeding', 'seeding']);
    await leecher.remove(f1.metainfo.infoHashHex);
    expect(leecher.get(f1.metainfo.infoHashHex)).toBeUndefined();
    expect(leecher.torrents.length).toBe(1);
  });

  it('the view shows connected peers with flags while downloading', async () => {
    const f = await fixture([600_000], 32 * 1024);
    const seeder = started(client({ throttle: (await import('../../../../src/net/throttle.ts')).hostThrottle({ up: 400 * 1024 }) }));
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const leecher = started(client());
    const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [local(seeder)] });
    await new Promise<void>((r) => t.once('verified', () => r()));
    const v = t.view();
    expect(v.peers).toBe(1);
    expect(v.seeds).toBe(1);
    expect(v.peerList?.[0]?.flags).toContain('D'); // interested and unchoked by the seed
    expect(v.peerList?.[0]?.progress).toBe(1);
    expect(v.state).toBe('downloading');
    expect(t.pieceCopies().every((c) => c === 1)).toBe(true);
    const sv = seeder.torrents[0]!.view();
    expect(sv.peerList?.[0]?.flags).toMatch(/U/);
    expect(sv.peerList?.[0]?.incoming).toBe(true);
    await t.whenDone(AbortSignal.timeout(10_000));
  });
});
