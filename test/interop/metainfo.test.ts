/**
 * Metainfo interop with real tools: libtorrent (python3-libtorrent) and mktorrent.
 * Missing tools skip with a message, except under CI (process.env.CI), where they must exist.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTorrent, parseTorrent, type Metainfo } from '../../src/codec/metainfo.ts';
import { tempDir } from '../helpers/tmp.ts';

const PYTHON = '/usr/bin/python3';

function available(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const hasLibtorrent = available(PYTHON, ['-c', 'import libtorrent']);
const hasMktorrent = available('mktorrent', ['-h']) || available('which', ['mktorrent']);
for (const [name, ok] of [['python3-libtorrent', hasLibtorrent], ['mktorrent', hasMktorrent]] as const) {
  if (!ok && process.env.CI) throw new Error(`${name} is required under CI for test/interop/metainfo.test.ts`);
  if (!ok) console.warn(`skipping ${name} interop tests: ${name} is not installed`);
}

/** libtorrent's view of a .torrent: v1 infohash, files (path, size, pad) and piece count. */
const LT_VIEW = `
import json, sys, libtorrent as lt
t = lt.torrent_info(sys.argv[1])
fs = t.files()
ih = t.info_hashes().v1 if hasattr(t, 'info_hashes') else t.info_hash()
print(json.dumps({
  'infoHash': str(ih),
  'pieces': t.num_pieces(),
  'pieceLength': t.piece_length(),
  'files': [[fs.file_path(i), fs.file_size(i), bool(fs.file_flags(i) & lt.file_storage.flag_pad_file)] for i in range(fs.num_files())],
}))
`;

/** Make a torrent with libtorrent: argv = source, output, piece length, mode ('hybrid' | 'v1'). */
const LT_CREATE = `
import os, sys, libtorrent as lt
src, out, plen, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fs = lt.file_storage()
lt.add_files(fs, src)
flags = lt.create_torrent.v1_only if mode == 'v1' else 0
ct = lt.create_torrent(fs, plen, flags=flags)
ct.add_tracker('http://127.0.0.1:6969/announce')
lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(src)))
open(out, 'wb').write(lt.bencode(ct.generate()))
`;

interface LtView {
  infoHash: string;
  pieces: number;
  pieceLength: number;
  files: [string, number, boolean][];
}

function ltView(torrentPath: string): LtView {
  return JSON.parse(execFileSync(PYTHON, ['-c', LT_VIEW, torrentPath], { encoding: 'utf8', timeout: 20_000 })) as LtView;
}

function ourView(m: Metainfo): LtView {
  return {
    infoHash: m.infoHashHex,
    pieces: m.pieceCount,
    pieceLength: m.pieceLength,
    files: m.files.map((f) => [f.path.join('/'), f.length, f.pad ?? false]),
  };
}

let tmp: { path: string; cleanup: () => Promise<void> };
let single: string;
let folder: string;

beforeAll(async () => {
  tmp = await tempDir('ringswarm-interop-meta-');
  const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >> 9)) & 0xff));
  single = join(tmp.path, 'single.bin');
  await writeFile(single, bytes(300_001, 1));
  folder = join(tmp.path, 'folder');
  await mkdir(join(folder, 'deep', 'er'), { recursive: true });
  await mkdir(join(folder, 'b dir'), { recursive: true });
  await writeFile(join(folder, 'top.txt'), bytes(12_345, 2));
  await writeFile(join(folder, 'deep', 'one.bin'), bytes(70_000, 3));
  await writeFile(join(folder, 'deep', 'er', 'two.bin'), bytes(40_960, 4));
  await writeFile(join(folder, 'b dir', 'naïve ✓.txt'), bytes(999, 5));
  await writeFile(join(folder, 'zzz'), bytes(1, 6));
});

afterAll(async () => {
  await tmp?.cleanup();
});

describe.skipIf(!hasLibtorrent)('createTorrent vs libtorrent', () => {
  it.each([
    ['single file', () => single, 65536],
    ['nested multi-file folder', () => folder, 16384],
  ])('libtorrent reads our %s torrent with the same infohash, files and pieces', async (_name, source, pieceLength) => {
    const { torrent, metainfo } = await createTorrent(source(), { pieceLength, trackers: ['http://127.0.0.1:6969/announce'] });
    const out = join(tmp.path, `ours-${pieceLength}.torrent`);
    await writeFile(out, torrent);
    expect(ltView(out)).toEqual(ourView(metainfo));
  });

  it.each(['hybrid', 'v1'])('ringswarm parses a libtorrent-made (%s) torrent like libtorrent does', async (mode) => {
    const out = join(tmp.path, `lt-${mode}.torrent`);
    execFileSync(PYTHON, ['-c', LT_CREATE, folder, out, '16384', mode], { timeout: 20_000 });
    const ours = parseTorrent(await readFile(out));
    expect(ourView(ours)).toEqual(ltView(out));
    expect(ours.announceList).toEqual([['http://127.0.0.1:6969/announce']]);
    if (mode === 'hybrid') expect(ours.files.some((f) => f.pad)).toBe(true);
  });
});

describe.skipIf(!hasMktorrent)('mktorrent', () => {
  it.each([
    // mktorrent accepts piece lengths 2^15..2^28 only.
    ['single file', () => single, 16],
    ['nested multi-file folder', () => folder, 15],
  ])('a mktorrent %s torrent parses to the same infohash as our own torrent of the same data', async (_name, source, log2) => {
    const out = join(tmp.path, `mk-${log2}.torrent`);
    execFileSync('mktorrent', ['-l', String(log2), '-a', 'http://127.0.0.1:6969/announce', '-o', out, source()], { stdio: 'ignore', timeout: 20_000 });
    const theirs = parseTorrent(await readFile(out));
    const { metainfo: ours } = await createTorrent(source(), { pieceLength: 2 ** log2 });
    expect(theirs.infoHashHex).toBe(ours.infoHashHex);
    expect(ourView(theirs)).toEqual(ourView(ours));
    if (hasLibtorrent) expect(ourView(theirs)).toEqual(ltView(out));
  });
});
