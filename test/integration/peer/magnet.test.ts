/**
 * Magnet links and PEX between real ringswarm clients on 127.0.0.1: the leecher knows only the
 * infohash and a peer hint, fetches the info dict over ut_metadata, then downloads the data.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMagnet } from '../../../src/codec/magnet.ts';
import { hostThrottle } from '../../../src/net/throttle.ts';
import { addMagnet, fetchMetadata } from '../../../peer/ext/magnet-download.ts';
import { addTorrent } from '../../../peer/ext/torrent-extensions.ts';
import { client, local, makeFixture, sameFiles, sessionCleanup } from './session/swarm-fixture.ts';

const { fixture, started, defer } = sessionCleanup();

describe('magnet links', () => {
  it('fetches the metadata from a ringswarm seeder, then the data', async () => {
    const f = await fixture();
    const seeder = started(client());
    await addTorrent(seeder, f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const leecher = started(client());
    const uri = formatMagnet({ infoHash: f.metainfo.infoHash, name: 'multi', peers: [local(seeder)] });
    const t = await addMagnet(leecher, uri, { downloadDir: join(f.root, 'leech'), metadataTimeoutMs: 10_000 });
    expect(t.metainfo.infoHashHex).toBe(f.metainfo.infoHashHex);
    expect(Buffer.from(t.metainfo.infoBytes).equals(f.metainfo.infoBytes)).toBe(true);
    await t.whenDone(AbortSignal.timeout(15_000));
    expect(await sameFiles(f, join(f.root, 'leech'))).toBe(true);
  });

  it('assembles metadata of several 16 KiB pieces from two seeders', async () => {
    // ~2000 pieces of 16 KiB → an info dict of ~40 KB, i.e. 3 metadata pieces.
    const f = await makeFixture([2000 * 16 * 1024 - 5], 16 * 1024);
    defer(f.cleanup);
    expect(f.metainfo.infoBytes.length).toBeGreaterThan(2 * 16 * 1024);
    const a = started(client());
    const b = started(client());
    await addTorrent(a, f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    await addTorrent(b, f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const got = await fetchMetadata({ infoHash: f.metainfo.infoHash, peerId: new Uint8Array(20).fill(9), peers: [local(a), local(b)], timeoutMs: 10_000 });
    expect(Buffer.from(got.info).equals(f.metainfo.infoBytes)).toBe(true);
  });

  it('times out with a TimeoutError when no peer has the metadata', async () => {
    const f = await fixture([1000]);
    const other = started(client()); // has no such torrent: refuses the handshake
    await other.start();
    await expect(fetchMetadata({ infoHash: f.metainfo.infoHash, peerId: new Uint8Array(20).fill(9), peers: [local(other)], timeoutMs: 500 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('peer exchange', () => {
  it('a leecher learns of a third peer through PEX and connects to it', { timeout: 20_000 }, async () => {
    const f = await fixture();
    // A slow seeder keeps a downloading (connected to it) while b arrives: PEX reports live peers only.
    const seeder = started(client({ throttle: hostThrottle({ up: 150 * 1024 }) }));
    await addTorrent(seeder, f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false, pexIntervalMs: 200 });
    const a = started(client());
    await addTorrent(a, f.metainfo, { downloadDir: join(f.root, 'a'), trackers: false, peers: [local(seeder)], pexIntervalMs: 200 });
    const b = started(client());
    // b knows only a; a tells b about the seeder.
    const { torrent, extensions } = await addTorrent(b, f.metainfo, { downloadDir: join(f.root, 'b'), trackers: false, peers: [local(a)], pexIntervalMs: 200 });
    const connected: string[] = [];
    torrent.on('peer-connected', (addr) => connected.push(addr));
    await torrent.whenDone(AbortSignal.timeout(15_000));
    const t0 = Date.now();
    while (!connected.includes(`127.0.0.1:${seeder.port}`) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(extensions.pex!.learned).toBeGreaterThan(0);
    expect(connected).toContain(`127.0.0.1:${seeder.port}`);
    expect(await sameFiles(f, join(f.root, 'b'))).toBe(true);
  });
});
