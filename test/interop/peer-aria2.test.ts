/**
 * Interop with aria2c: it downloads a multi-file torrent from a ringswarm seeder. aria2 finds
 * peers only through a tracker (or DHT), so both announce to a ringswarm TrackerServer on
 * 127.0.0.1; aria2's DHT, LPD and PEX are off.
 */
import { describe, it, expect} from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent } from '../../src/codec/metainfo.ts';
import { TrackerServer } from '../../tracker/server.ts';
import { Client } from '../../peer/session/client.ts';
import { tempDir } from '../helpers/tmp.ts';
import { missingTools } from '../helpers/interop/tools.ts';
import { runAria2 } from '../helpers/interop/aria2.ts';
import { MULTI_FILE, diffTrees, writeTree } from '../helpers/interop/fixtures.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';

const missing = missingTools('peer interop with aria2c', 'aria2c');
const defer = cleanupAfterEach({ ignoreErrors: true }); // a client already gone must not fail the test

describe.skipIf(missing.length > 0)('peer interop: aria2c', () => {
  it('aria2c downloads from a ringswarm seeder found through a ringswarm tracker', async () => {
    const dir = await tempDir('ringswarm-aria2-');
    defer(dir.cleanup);
    const tracker = new TrackerServer({}, { host: '127.0.0.1', port: 0, interval: 5 });
    await tracker.start();
    defer(() => tracker.stop());

    const src = join(dir.path, 'src');
    await writeTree(join(src, 'payload'), MULTI_FILE);
    const { torrent, metainfo } = await createTorrent(join(src, 'payload'), { pieceLength: 64 * 1024, trackers: [[tracker.announceUrls.http]] });
    const torrentPath = join(dir.path, 'payload.torrent');
    await writeFile(torrentPath, torrent);
    const dst = join(dir.path, 'dst');
    await mkdir(dst);

    const client = new Client({ host: '127.0.0.1', port: 0, dbDir: join(dir.path, 'db') });
    defer(() => client.stop());
    await client.start();
    const t = await client.add(metainfo, { downloadDir: src, seed: true });
    await t.whenDone(AbortSignal.timeout(20_000));
    // The seeder must be in the swarm before aria2 asks, or aria2 waits a whole interval.
    const deadline = Date.now() + 10_000;
    while (tracker.table.scrape(metainfo.infoHashHex).complete !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const aria = await runAria2(torrentPath, dst, 60_000);
    expect(aria.code, aria.out).toBe(0);
    expect(await diffTrees(join(src, 'payload'), join(dst, 'payload'), MULTI_FILE)).toEqual([]);
    expect(t.stats().uploaded).toBeGreaterThanOrEqual(metainfo.length);
  }, 90_000);
});
