/**
 * One swarm mixing clients: a ringswarm seeder, two ringswarm leechers and two libtorrent
 * leechers, all finding each other through a ringswarm tracker on 127.0.0.1. The seeder's upload
 * is capped so the leechers must trade pieces among themselves; everyone completes with the
 * right bytes, and the leechers did upload to each other.
 */
import { describe, it, expect} from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent } from '../../src/codec/metainfo.ts';
import { hostThrottle } from '../../src/net/throttle.ts';
import { TrackerServer } from '../../tracker/server.ts';
import { Client } from '../../peer/session/client.ts';
import { tempDir } from '../helpers/tmp.ts';
import { missingTools } from '../helpers/interop/tools.ts';
import { LtPeer } from '../helpers/interop/libtorrent.ts';
import { diffTrees, writeTree, type TreeSpec } from '../helpers/interop/fixtures.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';

const missing = missingTools('mixed swarm interop', 'python3-libtorrent');
const defer = cleanupAfterEach({ ignoreErrors: true }); // a client already gone must not fail the test

const SPEC: TreeSpec = { 'one.bin': 3_000_000, 'two.bin': 2_000_017 };

describe.skipIf(missing.length > 0)('peer interop: mixed swarm', () => {
  it('1 ringswarm seeder, 2 ringswarm + 2 libtorrent leechers through one tracker all complete', async () => {
    const dir = await tempDir('ringswarm-swarm-');
    defer(dir.cleanup);
    const tracker = new TrackerServer({}, { host: '127.0.0.1', port: 0, interval: 2 });
    await tracker.start();
    defer(() => tracker.stop());
    const src = join(dir.path, 'src');
    await writeTree(join(src, 'payload'), SPEC);
    const { torrent, metainfo } = await createTorrent(join(src, 'payload'), { pieceLength: 32 * 1024, trackers: [[tracker.announceUrls.http]] });
    const torrentPath = join(dir.path, 'payload.torrent');
    await writeFile(torrentPath, torrent);

    const seeder = new Client({ host: '127.0.0.1', port: 0, dbDir: join(dir.path, 'db-seed'), throttle: hostThrottle({ up: 2_000_000 }) });
    defer(() => seeder.stop());
    await seeder.start();
    const seedT = await seeder.add(metainfo, { downloadDir: src, seed: true });
    await seedT.whenDone(AbortSignal.timeout(20_000));

    const dests = ['rs1', 'rs2', 'lt1', 'lt2'].map((n) => join(dir.path, n));
    for (const d of dests) await mkdir(d);
    const lts = await Promise.all(dests.slice(2).map((d) => LtPeer.start({ torrent: torrentPath, save: d, stay: true, timeoutS: 60 })));
    for (const lt of lts) defer(() => lt.stop());
    const rs = [0, 1].map((i) => new Client({ host: '127.0.0.1', port: 0, dbDir: join(dir.path, `db-rs${i}`) }));
    for (const c of rs) defer(() => c.stop());
    const rsT = await Promise.all(
      rs.map(async (c, i) => {
        await c.start();
        return c.add(metainfo, { downloadDir: dests[i]! });
      }),
    );
    await Promise.all([...rsT.map((t) => t.whenDone(AbortSignal.timeout(50_000))), ...lts.map((lt) => lt.whenDone(50_000))]);
    for (const d of dests) expect(await diffTrees(join(src, 'payload'), join(d, 'payload'), SPEC), d).toEqual([]);

    // Leechers traded: what they uploaded in total is more than nothing.
    const ltUp = await Promise.all(lts.map(async (lt) => Number((await lt.stop()).report?.uploaded ?? 0)));
    const rsUp = rsT.map((t) => t.stats().uploaded);
    expect(ltUp.reduce((a, b) => a + b, 0) + rsUp.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 90_000);
});
