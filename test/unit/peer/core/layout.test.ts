import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Layout, BLOCK_SIZE } from '../../../../peer/core/layout.ts';
import { MetainfoError } from '../../../../src/errors.ts';

const file = (name: string, length: number) => ({ path: [name], length });

describe('Layout', () => {
  it('single file: short last piece and short last block', () => {
    const l = new Layout({ pieceLength: 32768, length: 32768 * 2 + 100, files: [file('a', 32768 * 2 + 100)] });
    expect(l.pieceCount).toBe(3);
    expect(l.pieceSize(2)).toBe(100);
    expect(l.blockCount(0)).toBe(2);
    expect(l.blocks(2)).toEqual([{ piece: 2, begin: 0, length: 100 }]);
    const l2 = new Layout({ pieceLength: 40000, length: 40000, files: [file('a', 40000)] });
    expect(l2.blocks(0).map((b) => b.length)).toEqual([BLOCK_SIZE, BLOCK_SIZE, 40000 - 2 * BLOCK_SIZE]);
  });

  it('a piece spanning three files, with a zero-length file in between', () => {
    // files: a=3 bytes, empty=0, b=2, c=5; piece length 8 → piece 0 = a + b + 3 bytes of c.
    const l = new Layout({ pieceLength: 8, length: 10, files: [file('a', 3), file('empty', 0), file('b', 2), file('c', 5)] }, 4);
    expect(l.slices(0)).toEqual([
      { fileIndex: 0, fileOffset: 0, pieceOffset: 0, length: 3 },
      { fileIndex: 2, fileOffset: 0, pieceOffset: 3, length: 2 },
      { fileIndex: 3, fileOffset: 0, pieceOffset: 5, length: 3 },
    ]);
    expect(l.slices(1)).toEqual([{ fileIndex: 3, fileOffset: 3, pieceOffset: 0, length: 2 }]);
    expect(l.slices(0, 2, 3)).toEqual([
      { fileIndex: 0, fileOffset: 2, pieceOffset: 2, length: 1 },
      { fileIndex: 2, fileOffset: 0, pieceOffset: 3, length: 2 },
    ]);
    expect(l.piecesOfFile(1)).toBeUndefined();
    expect(l.piecesOfFile(3)).toEqual({ first: 0, last: 1 });
  });

  it('refuses requests beyond the piece, the torrent, or 16 KiB', () => {
    const l = new Layout({ pieceLength: 32768, length: 40000, files: [file('a', 40000)] });
    expect(l.requestProblem(0, 0, BLOCK_SIZE)).toBeUndefined();
    expect(l.requestProblem(1, 0, 40000 - 32768)).toBeUndefined();
    expect(l.requestProblem(1, 0, BLOCK_SIZE)).toMatch(/beyond end of piece 1/);
    expect(l.requestProblem(0, 32768 - 10, 20)).toMatch(/beyond end/);
    expect(l.requestProblem(2, 0, 10)).toMatch(/out of range/);
    expect(l.requestProblem(0, 0, BLOCK_SIZE + 1)).toMatch(/exceeds/);
    expect(l.requestProblem(0, -1, 10)).toMatch(/bad begin/);
    expect(l.requestProblem(0, 0, 0)).toMatch(/bad length/);
  });

  it('rejects file lengths that do not add up', () => {
    expect(() => new Layout({ pieceLength: 4, length: 10, files: [file('a', 9)] })).toThrow(MetainfoError);
    expect(() => new Layout({ pieceLength: 0, length: 0, files: [] })).toThrow(MetainfoError);
  });

  const layoutArb = fc
    .record({
      lengths: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }),
      pieceLength: fc.integer({ min: 1, max: 128 }),
      blockSize: fc.integer({ min: 1, max: 64 }),
    })
    .filter((r) => r.lengths.reduce((a, b) => a + b, 0) > 0);

  it('property: every stream byte maps to exactly one (piece, offset) and one (file, offset)', () => {
    fc.assert(
      fc.property(layoutArb, ({ lengths, pieceLength, blockSize }) => {
        const total = lengths.reduce((a, b) => a + b, 0);
        const l = new Layout({ pieceLength, length: total, files: lengths.map((n, i) => file(String(i), n)) }, blockSize);
        // Expected owner of each byte, computed naively.
        const owner: [number, number][] = [];
        lengths.forEach((n, f) => {
          for (let k = 0; k < n; k++) owner.push([f, k]);
        });
        const seenFileBytes = new Set<string>();
        let stream = 0;
        for (let p = 0; p < l.pieceCount; p++) {
          let blockBytes = 0;
          for (const b of l.blocks(p)) {
            expect(b.begin).toBe(blockBytes);
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(blockSize);
            blockBytes += b.length;
          }
          expect(blockBytes).toBe(l.pieceSize(p));
          let pieceBytes = 0;
          for (const s of l.slices(p)) {
            expect(s.pieceOffset).toBe(pieceBytes);
            for (let k = 0; k < s.length; k++) {
              const key = `${s.fileIndex}:${s.fileOffset + k}`;
              const o = owner[stream];
              const loc = l.locate(stream);
              // Plain checks in the hot loop (expect() per byte is slow); one expect per slice.
              if (seenFileBytes.has(key) || !o || o[0] !== s.fileIndex || o[1] !== s.fileOffset + k) {
                expect.fail(`byte ${stream} mapped to ${key}, expected ${String(o)}`);
              }
              if (loc.piece !== p || loc.offset !== pieceBytes + k || l.fileAt(stream) !== s.fileIndex) {
                expect.fail(`byte ${stream} located at ${loc.piece}/${loc.offset}`);
              }
              seenFileBytes.add(key);
              stream++;
            }
            pieceBytes += s.length;
          }
          expect(pieceBytes).toBe(l.pieceSize(p));
        }
        expect(stream).toBe(total);
        expect(seenFileBytes.size).toBe(total);
      }),
      { numRuns: 150 },
    );
  });

  it('property: sub-range slices are the matching part of the whole-piece slices', () => {
    fc.assert(
      fc.property(layoutArb, fc.nat(), fc.nat(), fc.nat(), ({ lengths, pieceLength }, pi, a, b) => {
        const total = lengths.reduce((x, y) => x + y, 0);
        const l = new Layout({ pieceLength, length: total, files: lengths.map((n, i) => file(String(i), n)) });
        const p = pi % l.pieceCount;
        const size = l.pieceSize(p);
        const begin = a % size;
        const len = b % (size - begin + 1);
        const sum = l.slices(p, begin, len).reduce((x, s) => x + s.length, 0);
        expect(sum).toBe(len);
      }),
    );
  });
});
