/**
 * Finding peers with no tracker, on loopback: through a small Chord ring (the DHT as a
 * PeerSource), and through BEP 14 LSD on the loopback broadcast address.
 */
import dgram from 'node:dgram';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DhtNode } from '../../../../dht/node.ts';
import { DhtPeerSource } from '../../../../dht/peer-source.ts';
import type { Client } from '../../../../peer/session/client.ts';
import { DhtSource } from '../../../../peer/discovery/dht-source.ts';
import { LsdSource } from '../../../../peer/discovery/lsd.ts';
import { addTorrent } from '../../../../peer/ext/torrent-extensions.ts';
import { addMagnet } from '../../../../peer/ext/magnet-download.ts';
import { formatMagnet } from '../../../../src/codec/magnet.ts';
import { FAST, testnet } from '../../../helpers/dht-testnet.ts';
import { client, sameFiles, sessionCleanup } from '../session/swarm-fixture.ts';

const { fixture, started, defer } = sessionCleanup();

describe('trackerless', () => {
  it('a seeder and two leechers that know only a DHT bootstrap node complete', { timeout: 30_000 }, async () => {
    const ring = await testnet(3);
    defer(() => ring.stop());
    await ring.converged();
    const boot = { host: ring.nodes[0]!.self.host, port: ring.nodes[0]!.self.port };
    const f = await fixture();
    const join1 = async (c: Client, dir: string, seed: boolean) => {
      const node = new DhtNode({ ...FAST, client: true });
      await node.start(boot);
      defer(() => node.stop());
      await c.start();
      const dht = new DhtSource(new DhtPeerSource(node), { infoHash: f.metainfo.infoHash, port: () => c.port, quickRetryMs: 200 });
      return (await addTorrent(c, f.metainfo, { downloadDir: dir, seed, trackers: false, sources: [dht] })).torrent;
    };
    const seeder = started(client());
    await join1(seeder, f.seedDir, true);
    const l1 = await join1(started(client()), join(f.root, 'l1'), false);
    const l2 = await join1(started(client()), join(f.root, 'l2'), false);
    await Promise.all([l1.whenDone(AbortSignal.timeout(20_000)), l2.whenDone(AbortSignal.timeout(20_000))]);
    expect(await sameFiles(f, join(f.root, 'l1'))).toBe(true);
    expect(await sameFiles(f, join(f.root, 'l2'))).toBe(true);
  });

  it('a magnet link with no peer hint resolves through the DHT: metadata, then data', { timeout: 30_000 }, async () => {
    const ring = await testnet(3);
    defer(() => ring.stop());
    await ring.converged();
    const boot = { host: ring.nodes[0]!.self.host, port: ring.nodes[0]!.self.port };
    const f = await fixture();
    const dhtFor = async (c: Client) => {
      const node = new DhtNode({ ...FAST, client: true });
      await node.start(boot);
      defer(() => node.stop());
      await c.start();
      return new DhtSource(new DhtPeerSource(node), { infoHash: f.metainfo.infoHash, port: () => c.port, quickRetryMs: 200 });
    };
    const seeder = started(client());
    await addTorrent(seeder, f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false, sources: [await dhtFor(seeder)] });
    const leecher = started(client());
    const uri = formatMagnet({ infoHash: f.metainfo.infoHash });
    const t = await addMagnet(leecher, uri, { downloadDir: join(f.root, 'm'), sources: [await dhtFor(leecher)], metadataTimeoutMs: 15_000 });
    await t.whenDone(AbortSignal.timeout(15_000));
    expect(await sameFiles(f, join(f.root, 'm'))).toBe(true);
  });

  it('LSD: two clients on loopback with no tracker find each other and complete', { timeout: 20_000 }, async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const group = { host: '127.255.255.255', port: probe.address().port };
    await new Promise<void>((r) => probe.close(() => r()));
    const f = await fixture();
    const lsd = async (c: Client) => {
      await c.start();
      return new LsdSource({ infoHash: f.metainfo.infoHash, port: c.port, group, intervalMs: 300, minIntervalMs: 0 });
    };
    const found: string[] = [];
    const seeder = started(client());
    const seederLsd = await lsd(seeder);
    seederLsd.on('peers', (p) => found.push(...p.map((e) => `${e.host}:${e.port}`)));
    await addTorrent(seeder, f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false, sources: [seederLsd] });
    const leecher = started(client());
    const src = await lsd(leecher);
    src.on('peers', (p) => found.push(...p.map((e) => `${e.host}:${e.port}`)));
    const { torrent } = await addTorrent(leecher, f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, sources: [src] });
    await torrent.whenDone(AbortSignal.timeout(15_000));
    // Whichever announce is heard first makes the connection: the seeder may dial the leecher.
    expect(found.some((e) => e === `127.0.0.1:${seeder.port}` || e === `127.0.0.1:${leecher.port}`)).toBe(true);
    expect(await sameFiles(f, join(f.root, 'leech'))).toBe(true);
  });
});
