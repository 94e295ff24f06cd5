import { describe, expect, it } from 'vitest';
import { Layout } from '../../../../peer/core/layout.ts';
import { PieceCache } from '../../../../peer/session/piece-cache.ts';
import { MemoryStorage } from '../../../../src/store/piece-storage.ts';

function setup(pieces = 4, pieceLength = 32 * 1024): { storage: MemoryStorage; reads: number[]; data: Uint8Array } {
  const data = new Uint8Array(pieces * pieceLength).map((_, i) => (i * 7) & 0xff);
  const layout = new Layout({ pieceLength, length: data.length, files: [{ path: ['f'], length: data.length }] });
  const storage = new MemoryStorage(layout, data);
  const reads: number[] = [];
  const readPiece = storage.readPiece.bind(storage);
  storage.readPiece = (piece: number) => {
    reads.push(piece);
    return readPiece(piece);
  };
  return { storage, reads, data };
}

describe('PieceCache', () => {
  it('prefetch reads a piece once; later blocks are served from the cache', async () => {
    const { storage, reads, data } = setup();
    await storage.open();
    const cache = new PieceCache(storage);
    expect(cache.prefetch(2)).toBe(true);
    expect(cache.prefetch(2)).toBe(false); // already being read
    expect(cache.readingCount).toBe(1);
    const b = await cache.block(2, 16 * 1024, 16 * 1024);
    expect(Buffer.from(b).equals(Buffer.from(data.subarray(2 * 32768 + 16384, 3 * 32768)))).toBe(true);
    expect(cache.readingCount).toBe(0);
    expect(cache.prefetch(2)).toBe(false); // cached
    expect(cache.peek(2, 0, 16)).toBeDefined();
    expect(reads).toEqual([2]);
  });

  it('never prefetches a piece larger than the cache', async () => {
    const { storage, reads } = setup(2, 64 * 1024);
    await storage.open();
    const cache = new PieceCache(storage, { maxBytes: 32 * 1024 });
    expect(cache.prefetch(0)).toBe(false);
    expect(reads).toEqual([]);
  });

  it('a failed prefetch is retried by the next block read', async () => {
    const { storage, reads } = setup();
    await storage.open();
    const readPiece = storage.readPiece;
    let fail = true;
    storage.readPiece = (piece: number) => (fail ? ((fail = false), Promise.reject(new Error('disk'))) : readPiece(piece));
    const cache = new PieceCache(storage);
    cache.prefetch(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.readingCount).toBe(0);
    expect((await cache.block(1, 0, 16)).length).toBe(16);
    expect(reads).toEqual([1]);
  });
});
