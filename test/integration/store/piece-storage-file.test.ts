import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { mkdir, readFile, stat, symlink, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Layout, type LayoutFile } from '../../../peer/core/layout.ts';
import { FileStorage } from '../../../src/store/piece-storage-file.ts';
import { MemoryStorage } from '../../../src/store/piece-storage.ts';
import { ClosedError, StorageError, UnsafePathError } from '../../../src/errors.ts';
import { tempDir } from '../../helpers/tmp.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function tmp(): Promise<string> {
  const t = await tempDir('ringswarm-store-');
  cleanups.push(t.cleanup);
  return t.path;
}

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + 1) & 0xff);
}

// Piece length 16: piece 0 = a (5) + b (4) + 7 bytes of c, with an empty file between a and b.
const FILES: LayoutFile[] = [
  { path: ['t', 'a'], length: 5 },
  { path: ['t', 'empty'], length: 0 },
  { path: ['t', 'sub', 'b'], length: 4 },
  { path: ['t', 'c'], length: 20 },
  { path: ['t', 'd'], length: 1 },
];
const layout = new Layout({ pieceLength: 16, length: 30, files: FILES }, 4);

describe('FileStorage', () => {
  it('writes a multi-file torrent (a piece spanning three files, a zero-length file) byte-exact', async () => {
    const root = await tmp();
    const s = new FileStorage({ root, layout });
    await s.open();
    await s.open(); // idempotent
    const stream = bytes(30, 1);
    // write piece 1 first, then piece 0 block by block, out of order
    await s.write(1, 0, stream.subarray(16, 30));
    for (const b of [3, 0, 2, 1]) await s.write(0, b * 4, stream.subarray(b * 4, b * 4 + 4));
    expect(await s.readPiece(0)).toEqual(stream.subarray(0, 16));
    expect(await s.read(0, 3, 6)).toEqual(stream.subarray(3, 9));
    expect(await s.readPiece(1)).toEqual(stream.subarray(16, 30));
    await s.close();
    await s.close();
    const disk = Buffer.concat(await Promise.all(FILES.map((f) => readFile(join(root, ...f.path)))));
    expect(new Uint8Array(disk)).toEqual(stream);
    expect((await stat(join(root, 't', 'empty'))).size).toBe(0);
  });

  it('pre-allocates files to their final size; unwritten ranges read as zeros', async () => {
    const root = await tmp();
    const s = new FileStorage({ root, layout });
    await s.open();
    for (const f of FILES) expect((await stat(join(root, ...f.path))).size).toBe(f.length);
    expect(await s.readPiece(1)).toEqual(new Uint8Array(14));
    await s.close();
  });

  it('padding files are never written and read as zeros', async () => {
    const root = await tmp();
    const l = new Layout({ pieceLength: 8, length: 16, files: [{ path: ['t', 'x'], length: 5 }, { path: ['t', '.pad', '3'], length: 3, pad: true }, { path: ['t', 'y'], length: 8 }] });
    const s = new FileStorage({ root, layout: l });
    await s.open();
    await s.write(0, 0, Uint8Array.of(1, 2, 3, 4, 5, 9, 9, 9));
    expect(await s.readPiece(0)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 0, 0, 0));
    expect(await readdir(join(root, 't'))).toEqual(['x', 'y']);
    await s.close();
  });

  it('refuses paths that escape the download folder before touching disk', async () => {
    const root = await tmp();
    const evil = new Layout({ pieceLength: 4, length: 4, files: [{ path: ['t', '..', '..', 'evil'], length: 4 }] });
    expect(() => new FileStorage({ root: join(root, 'dl'), layout: evil })).toThrow(UnsafePathError);
    const abs = new Layout({ pieceLength: 4, length: 4, files: [{ path: ['/etc', 'passwd'], length: 4 }] });
    expect(() => new FileStorage({ root, layout: abs })).toThrow(UnsafePathError);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a symlinked folder or file that points outside', async () => {
    const base = await tmp();
    const root = join(base, 'dl');
    const outside = join(base, 'outside');
    await mkdir(join(root, 't'), { recursive: true });
    await mkdir(outside);
    await symlink(outside, join(root, 't', 'sub'));
    const s = new FileStorage({ root, layout });
    await expect(s.open()).rejects.toThrow(UnsafePathError);
    await s.close();
    expect(await readdir(outside)).toEqual([]);

    const root2 = join(base, 'dl2');
    await mkdir(join(root2, 't'), { recursive: true });
    await writeFile(join(outside, 'victim'), 'keep');
    await symlink(join(outside, 'victim'), join(root2, 't', 'a'));
    const s2 = new FileStorage({ root: root2, layout });
    await expect(s2.open()).rejects.toThrow(UnsafePathError);
    await s2.close();
    expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('keep');
  });

  it('surfaces fs failures as StorageError and refuses I/O before open', async () => {
    const root = await tmp();
    await mkdir(join(root, 't', 'a'), { recursive: true }); // a folder where file 'a' must go
    const s = new FileStorage({ root, layout });
    await expect(s.read(0, 0, 4)).rejects.toThrow(ClosedError);
    const err = await s.open().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('STORAGE');
    await s.close();
  });

  it('keeps at most maxOpenFiles handles open, and data stays correct', async () => {
    const root = await tmp();
    const files = Array.from({ length: 24 }, (_, i) => ({ path: ['many', `f${i}`], length: 7 }));
    const l = new Layout({ pieceLength: 16, length: 24 * 7, files }, 16);
    const s = new FileStorage({ root, layout: l }, { maxOpenFiles: 3 });
    await s.open();
    const data = bytes(l.length, 5);
    await Promise.all(Array.from({ length: l.pieceCount }, (_, p) => s.write(p, 0, data.subarray(p * 16, p * 16 + l.pieceSize(p)))));
    expect(s.openHandles).toBeLessThanOrEqual(3);
    for (let p = 0; p < l.pieceCount; p++) expect(await s.readPiece(p)).toEqual(data.subarray(p * 16, p * 16 + l.pieceSize(p)));
    expect(s.openHandles).toBeLessThanOrEqual(3);
    await s.close();
  });

  it('property: file and memory storage agree with a byte-array model under random writes', async () => {
    const root = await tmp();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ piece: fc.nat(), begin: fc.nat(), len: fc.nat(), seed: fc.nat(255) }), { maxLength: 12 }),
        async (writes) => {
          const file = new FileStorage({ root: join(root, String(run++)), layout }, { maxOpenFiles: 2 });
          const mem = new MemoryStorage(layout);
          await file.open();
          await mem.open();
          const model = new Uint8Array(layout.length);
          for (const w of writes) {
            const piece = w.piece % layout.pieceCount;
            const size = layout.pieceSize(piece);
            const begin = w.begin % size;
            const data = bytes(w.len % (size - begin + 1), w.seed);
            await Promise.all([file.write(piece, begin, data), mem.write(piece, begin, data)]);
            model.set(data, piece * 16 + begin);
          }
          for (let p = 0; p < layout.pieceCount; p++) {
            const want = model.subarray(p * 16, p * 16 + layout.pieceSize(p));
            expect(await file.readPiece(p)).toEqual(want);
            expect(await mem.readPiece(p)).toEqual(want);
          }
          await file.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});
