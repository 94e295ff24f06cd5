/**
 * Interop with libtorrent (Debian's python3-libtorrent), one seeder and one leecher each way,
 * on 127.0.0.1 with direct peer addresses (no tracker): ringswarm downloads a multi-file torrent
 * whose pieces span files from a libtorrent seeder, and libtorrent downloads from a ringswarm
 * seeder. Files must match byte for byte.
 */
import { describe, it, expect} from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent } from '../../src/codec/metainfo.ts';
import { Client } from '../../peer/session/client.ts';
import { tempDir } from '../helpers/tmp.ts';
import { missingTools } from '../helpers/interop/tools.ts';
import { LtPeer } from '../helpers/interop/libtorrent.ts';
import { MULTI_FILE, diffTrees, writeTree } from '../helpers/interop/fixtures.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';

const missing = missingTools('peer interop with libtorrent', 'python3-libtorrent');
const defer = cleanupAfterEach({ ignoreErrors: true }); // a client already gone must not fail the test

async function fixture(pieceLength: number) {
  const dir = await tempDir('ringswarm-lt-');
  defer(dir.cleanup);
  const src = join(dir.path, 'src');
  await writeTree(join(src, 'payload'), MULTI_FILE);
  const { torrent, metainfo } = await createTorrent(join(src, 'payload'), { pieceLength, creationDate: null });
  const torrentPath = join(dir.path, 'payload.torrent');
  await writeFile(torrentPath, torrent);
  const dst = join(dir.path, 'dst');
  await mkdir(dst);
  return { dir: dir.path, src, dst, torrentPath, metainfo };
}

describe.skipIf(missing.length > 0)('peer interop: libtorrent', () => {
  it('ringswarm downloads a multi-file torrent from a libtorrent seeder', async () => {
    const f = await fixture(32 * 1024);
    const seeder = await LtPeer.start({ torrent: f.torrentPath, save: f.src, seed: true });
    defer(() => seeder.stop());
    await seeder.waitFor((e) => e.event === 'done', 20_000); // checked and seeding
    const client = new Client({ host: '127.0.0.1', port: 0, dbDir: join(f.dir, 'db') });
    defer(() => client.stop());
    await client.start();
    const t = await client.add(f.metainfo, { downloadDir: f.dst, trackers: false, peers: [{ host: '127.0.0.1', port: seeder.port }] });
    await t.whenDone(AbortSignal.timeout(40_000));
    expect(await diffTrees(join(f.src, 'payload'), join(f.dst, 'payload'), MULTI_FILE)).toEqual([]);
    const s = t.stats();
    expect(s.progress).toBe(1);
    expect(s.wasted).toBe(0);
  }, 60_000);

  it('libtorrent downloads a multi-file torrent from a ringswarm seeder', async () => {
    const f = await fixture(64 * 1024);
    const client = new Client({ host: '127.0.0.1', port: 0, dbDir: join(f.dir, 'db') });
    defer(() => client.stop());
    await client.start();
    const t = await client.add(f.metainfo, { downloadDir: f.src, trackers: false, seed: true });
    await t.whenDone(AbortSignal.timeout(20_000)); // the check found all data
    const leecher = await LtPeer.start({ torrent: f.torrentPath, save: f.dst, peers: [`127.0.0.1:${client.port}`] });
    defer(() => leecher.stop());
    await leecher.whenDone(40_000);
    expect(await diffTrees(join(f.src, 'payload'), join(f.dst, 'payload'), MULTI_FILE)).toEqual([]);
    expect(t.stats().uploaded).toBeGreaterThanOrEqual(f.metainfo.length);
  }, 60_000);
});
