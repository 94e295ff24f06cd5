import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTorrent, parseTorrent } from '../../../src/codec/metainfo.ts';
import { AbortedError, MetainfoError } from '../../../src/errors.ts';
import { tempDir } from '../../helpers/tmp.ts';

const sha1 = (b: Uint8Array): Buffer => createHash('sha1').update(b).digest();
const pattern = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff));

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('ringswarm-create-');
});
afterEach(async () => {
  await dir.cleanup();
});

describe('createTorrent', () => {
  it('hashes a single file with a short last piece', async () => {
    const data = pattern(100_000, 1);
    const file = join(dir.path, 'one.bin');
    await writeFile(file, data);
    const { torrent, metainfo } = await createTorrent(file, { pieceLength: 32768, trackers: ['http://127.0.0.1:1/announce'], creationDate: null, chunkSize: 20000 });
    expect(metainfo.multiFile).toBe(false);
    expect(metainfo.name).toBe('one.bin');
    expect(metainfo.pieceCount).toBe(4);
    for (let i = 0; i < 4; i++) {
      expect(Buffer.from(metainfo.pieceHash(i))).toEqual(sha1(data.subarray(i * 32768, (i + 1) * 32768)));
    }
    expect(metainfo.announceList).toEqual([['http://127.0.0.1:1/announce']]);
    expect(metainfo.creationDate).toBeUndefined();
    expect(parseTorrent(torrent).infoHashHex).toBe(metainfo.infoHashHex);
  });

  it('hashes pieces that span files, sorted by path bytewise like mktorrent, hidden files included', async () => {
    const a = pattern(20_000, 2);
    const b = pattern(30_000, 3);
    const h = pattern(5, 4);
    const sp = pattern(7, 5);
    await mkdir(join(dir.path, 'tree', 'sub'), { recursive: true });
    await mkdir(join(dir.path, 'tree', 'a b'), { recursive: true });
    await writeFile(join(dir.path, 'tree', 'sub', 'b.bin'), b);
    await writeFile(join(dir.path, 'tree', 'a.bin'), a);
    await writeFile(join(dir.path, 'tree', '.hidden'), h);
    await writeFile(join(dir.path, 'tree', 'a b', 'z'), sp);
    await writeFile(join(dir.path, 'tree', 'empty'), '');
    const { metainfo } = await createTorrent(join(dir.path, 'tree'), { pieceLength: 16384 });
    expect(metainfo.files.map((f) => f.path.join('/'))).toEqual(['tree/.hidden', 'tree/a b/z', 'tree/a.bin', 'tree/empty', 'tree/sub/b.bin']);
    const all = Buffer.concat([h, sp, a, b]);
    expect(metainfo.length).toBe(all.length);
    expect(metainfo.pieceCount).toBe(Math.ceil(all.length / 16384));
    for (let i = 0; i < metainfo.pieceCount; i++) {
      expect(Buffer.from(metainfo.pieceHash(i))).toEqual(sha1(all.subarray(i * 16384, (i + 1) * 16384)));
    }
  });

  it('follows symlinks to files and skips symlinked directories', async () => {
    await mkdir(join(dir.path, 't'));
    await writeFile(join(dir.path, 'outside'), 'x'.repeat(10));
    await symlink(join(dir.path, 'outside'), join(dir.path, 't', 'link'));
    await symlink(dir.path, join(dir.path, 't', 'loop'));
    const { metainfo } = await createTorrent(join(dir.path, 't'));
    expect(metainfo.files.map((f) => f.path.join('/'))).toEqual(['t/link']);
  });

  it('writes tiers, options and a reproducible info dict', async () => {
    const file = join(dir.path, 'f');
    await writeFile(file, pattern(5000, 6));
    const opts = {
      trackers: [['http://t1/a', 'http://t2/a'], ['udp://t3:80']],
      private: true,
      comment: 'hi',
      createdBy: 'tester',
      creationDate: 1234,
      name: 'renamed',
      webSeeds: ['http://seed/'],
    };
    const one = await createTorrent(file, opts);
    const two = await createTorrent(file, opts);
    expect(Buffer.from(one.torrent)).toEqual(Buffer.from(two.torrent));
    const m = one.metainfo;
    expect(m.announce).toBe('http://t1/a');
    expect(m.announceList).toEqual(opts.trackers);
    expect(m).toMatchObject({ private: true, comment: 'hi', createdBy: 'tester', creationDate: 1234, name: 'renamed', urlList: ['http://seed/'] });
    const flat = await createTorrent(file, { trackers: ['http://a/', 'http://b/'] });
    expect(flat.metainfo.announceList).toEqual([['http://a/'], ['http://b/']]);
  });

  it('reports progress up to the total', async () => {
    const file = join(dir.path, 'p');
    await writeFile(file, pattern(50_000, 7));
    const seen: number[] = [];
    await createTorrent(file, { chunkSize: 16384, onProgress: (done, total) => { expect(total).toBe(50_000); seen.push(done); } });
    expect(seen.at(-1)).toBe(50_000);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(seen.length).toBe(4);
  });

  it('aborts with AbortedError', async () => {
    const file = join(dir.path, 'big');
    await writeFile(file, pattern(200_000, 8));
    const ac = new AbortController();
    const p = createTorrent(file, { chunkSize: 16384, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(p).rejects.toBeInstanceOf(AbortedError);
  });

  it('refuses empty input', async () => {
    await mkdir(join(dir.path, 'nothing'));
    await expect(createTorrent(join(dir.path, 'nothing'))).rejects.toBeInstanceOf(MetainfoError);
    await writeFile(join(dir.path, 'zero'), '');
    await expect(createTorrent(join(dir.path, 'zero'))).rejects.toBeInstanceOf(MetainfoError);
  });

  it('round-trips through a file on disk', async () => {
    const file = join(dir.path, 'r');
    await writeFile(file, pattern(3000, 9));
    const { torrent, metainfo } = await createTorrent(file);
    await writeFile(join(dir.path, 'r.torrent'), torrent);
    expect(parseTorrent(await readFile(join(dir.path, 'r.torrent'))).infoHashHex).toBe(metainfo.infoHashHex);
  });
});
