import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { Layout } from '../../../peer/core/layout.ts';
import { MemoryStorage } from '../../../src/store/piece-storage.ts';
import { pieceMatches, recheck, verifyPiece } from '../../../src/store/verify.ts';
import { Bitfield } from '../../../peer/core/bitfield.ts';
import { AbortedError, ClosedError } from '../../../src/errors.ts';

const layout = new Layout({ pieceLength: 32, length: 100, files: [{ path: ['x'], length: 100 }] });
const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 7) & 0xff);
const sha = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());
const hashList = Array.from({ length: 4 }, (_, p) => sha(data.subarray(p * 32, Math.min(100, p * 32 + 32))));
const hashes = { pieceCount: 4, pieceHash: (i: number) => hashList[i] as Uint8Array };

describe('verify', () => {
  it('pieceMatches compares SHA-1 digests', () => {
    expect(pieceMatches(data.subarray(0, 32), hashList[0] as Uint8Array)).toBe(true);
    expect(pieceMatches(data.subarray(1, 33), hashList[0] as Uint8Array)).toBe(false);
    expect(pieceMatches(data.subarray(0, 32), new Uint8Array(19))).toBe(false);
  });

  it('verifyPiece and recheck read from storage, including the short last piece', async () => {
    const s = new MemoryStorage(layout, data);
    await s.open();
    expect(await verifyPiece(s, hashes, 3)).toBe(true);
    await s.write(1, 5, Uint8Array.of(0xee));
    const progress: number[] = [];
    const have = await recheck(s, hashes, { onProgress: (d) => progress.push(d) });
    expect(have.toString()).toBe('* **');
    expect(progress.sort()).toEqual([1, 2, 3, 4]);
  });

  it('recheck of some pieces keeps the others from the start bitfield', async () => {
    const s = new MemoryStorage(layout);
    await s.open();
    const have = await recheck(s, hashes, { pieces: [0, 1], start: Bitfield.fromString('****') });
    expect(have.toString()).toBe('  **');
  });

  it('honours an aborted signal; memory storage refuses use when closed', async () => {
    const s = new MemoryStorage(layout, data);
    await s.open();
    await expect(recheck(s, hashes, { signal: AbortSignal.abort() })).rejects.toThrow(AbortedError);
    await s.close();
    await expect(s.readPiece(0)).rejects.toThrow(ClosedError);
    await expect(s.read(0, 30, 3)).rejects.toThrow();
  });
});
