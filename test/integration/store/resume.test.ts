import { describe, it, expect, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import { open as fsOpen, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { Layout } from '../../../peer/core/layout.ts';
import { FileStorage } from '../../../src/store/piece-storage-file.ts';
import { TorrentResume } from '../../../src/store/resume.ts';
import type { PieceHashes } from '../../../src/store/verify.ts';
import { tempDir } from '../../helpers/tmp.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// 5 pieces of 64 bytes over files a (100), empty (0), c (150), d (70).
const layout = new Layout({
  pieceLength: 64,
  length: 320,
  files: [
    { path: ['t', 'a'], length: 100 },
    { path: ['t', 'empty'], length: 0 },
    { path: ['t', 'c'], length: 150 },
    { path: ['t', 'd'], length: 70 },
  ],
});
const data = Uint8Array.from({ length: 320 }, (_, i) => (i * 13 + 5) & 0xff);
const piece = (p: number) => data.subarray(p * 64, p * 64 + layout.pieceSize(p));
const hashList = Array.from({ length: layout.pieceCount }, (_, p) => new Uint8Array(createHash('sha1').update(piece(p)).digest()));
const hashes: PieceHashes = { pieceCount: layout.pieceCount, pieceHash: (i) => hashList[i] as Uint8Array };
const INFOHASH = 'aa'.repeat(20);

async function env() {
  const t = await tempDir('ringswarm-resume-');
  cleanups.push(t.cleanup);
  return { root: join(t.path, 'dl'), dbPath: join(t.path, 'db') };
}

/** One client "process": its own level handle, storage and resume tracker. */
async function start(root: string, dbPath: string, options = {}) {
  const db = new Level<string, string>(dbPath);
  await db.open();
  // Not opened here: load() stats the files before open() pre-allocates them (see resume.ts).
  const storage = new FileStorage({ root, layout });
  const resume = new TorrentResume(
    { db: db.sublevel('resume'), infoHashHex: INFOHASH, layout, storage, hashes, statFile: (i) => storage.statFile(i) },
    options,
  );
  const stop = async () => {
    await storage.close();
    await db.close();
  };
  cleanups.push(stop);
  return { db, storage, resume, stop };
}

describe('TorrentResume with a real level DB', () => {
  it('a restart continues from the record without re-hashing', async () => {
    const { root, dbPath } = await env();
    const a = await start(root, dbPath);
    expect(await a.resume.load()).toMatchObject({ source: 'fresh', rehashed: 0 });
    for (const p of [0, 1, 2]) {
      await a.storage.write(p, 0, piece(p));
      a.resume.pieceVerified(p);
    }
    await a.resume.close();
    await a.stop();

    const b = await start(root, dbPath);
    const r = await b.resume.load();
    expect(r.source).toBe('resume');
    expect(r.rehashed).toBe(0);
    expect(r.have.toString()).toBe('***  ');
  });

  it('a file touched while we were down is re-hashed, and only its pieces', async () => {
    const { root, dbPath } = await env();
    const a = await start(root, dbPath);
    await a.resume.load();
    for (let p = 0; p < 5; p++) {
      await a.storage.write(p, 0, piece(p));
      a.resume.pieceVerified(p);
    }
    await a.resume.close();
    await a.stop();

    // corrupt one byte of file d (stream bytes 250..319 → pieces 3 and 4), byte 300 is in piece 4
    const fh = await fsOpen(join(root, 't', 'd'), 'r+');
    await fh.write(Uint8Array.of(0), 0, 1, 300 - 250);
    await fh.close();
    await utimes(join(root, 't', 'd'), new Date(), new Date(Date.now() + 5000));

    const b = await start(root, dbPath);
    const r = await b.resume.load();
    expect(r).toMatchObject({ source: 'resume', rehashed: 2 });
    expect(r.have.toString()).toBe('**** ');
    // the new record reflects the check: the next start trusts it
    await b.resume.close();
    await b.stop();
    const c = await start(root, dbPath);
    expect(await c.resume.load()).toMatchObject({ source: 'resume', rehashed: 0 });
    expect(c.resume.have.toString()).toBe('**** ');
  });

  it('--recheck hashes everything; existing files without a record are hashed once', async () => {
    const { root, dbPath } = await env();
    const a = await start(root, dbPath);
    await a.storage.open();
    for (let p = 0; p < 5; p++) await a.storage.write(p, 0, piece(p));
    const r = await a.resume.load(); // no record, data present: seeding existing files
    expect(r).toMatchObject({ source: 'recheck', rehashed: 5 });
    expect(r.have.isComplete).toBe(true);
    const forced = await a.resume.load({ recheck: true });
    expect(forced).toMatchObject({ source: 'recheck', rehashed: 5 });
    expect(await a.resume.load()).toMatchObject({ source: 'resume', rehashed: 0 });
  });

  it('batches writes: flushes after flushEvery pieces or after the interval', async () => {
    const { root, dbPath } = await env();
    const a = await start(root, dbPath, { flushEvery: 2, flushIntervalMs: 60_000 });
    await a.resume.load();
    const sub = a.db.sublevel('resume');
    const stored = async () => {
      const raw = await sub.get(INFOHASH);
      return raw === undefined ? undefined : (JSON.parse(raw) as { have: string }).have;
    };
    const empty = await stored();
    await a.storage.write(0, 0, piece(0));
    a.resume.pieceVerified(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(await stored()).toBe(empty); // one piece: not yet written
    await a.storage.write(1, 0, piece(1));
    a.resume.pieceVerified(1);
    await a.resume.flush();
    expect(Buffer.from((await stored()) as string, 'base64')[0]).toBe(0xc0);

    const b = await start(root + '2', dbPath + '2', { flushEvery: 100, flushIntervalMs: 30 });
    await b.resume.load();
    await b.storage.write(2, 0, piece(2));
    b.resume.pieceVerified(2);
    await new Promise((r) => setTimeout(r, 150));
    const raw = await b.db.sublevel('resume').get(INFOHASH);
    expect(Buffer.from((JSON.parse(raw as string) as { have: string }).have, 'base64')[0]).toBe(0x20);
  });

  it('after a crash (no close) flushed pieces are kept; files written since are re-hashed', async () => {
    const { root, dbPath } = await env();
    const a = await start(root, dbPath, { flushEvery: 1 });
    await a.resume.load();
    for (const p of [0, 3]) {
      await a.storage.write(p, 0, piece(p));
      a.resume.pieceVerified(p);
    }
    await a.resume.flush();
    // crash: no resume.close(); the process dies after writing more blocks to file c
    await a.storage.write(2, 0, piece(2).subarray(0, 10));
    await utimes(join(root, 't', 'c'), new Date(), new Date(Date.now() + 5000));
    await a.stop();
    const b = await start(root, dbPath);
    const r = await b.resume.load();
    expect(r.source).toBe('resume');
    expect(r.have.toString()).toBe('*  * ');
    expect(r.rehashed).toBe(1); // piece 3 overlaps c, piece 0 (file a only) is trusted
  });

  it('a damaged record counts as no record', async () => {
    const { root, dbPath } = await env();
    const a = await start(root, dbPath);
    await a.db.sublevel('resume').put(INFOHASH, '{"v":1,"pieceCount":5,"have":"////","files":[]}');
    expect(await a.resume.load()).toMatchObject({ source: 'fresh' });
  });
});
