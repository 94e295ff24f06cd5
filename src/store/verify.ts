/**
 * SHA-1 piece verification: a piece counts as ours only once its bytes on storage hash to the
 * metainfo's value. `recheck` rebuilds the have-bitfield from disk (--recheck, tampered files).
 */
import { createHash } from 'node:crypto';
import { Bitfield } from '../../peer/core/bitfield.ts';
import { throwIfAborted } from '../errors.ts';
import type { PieceStorage } from './piece-storage.ts';

/** The slice of Metainfo verification needs. */
export interface PieceHashes {
  readonly pieceCount: number;
  pieceHash(index: number): Uint8Array;
}

export function pieceMatches(data: Uint8Array, expected: Uint8Array): boolean {
  const got = createHash('sha1').update(data).digest();
  return expected.length === 20 && got.equals(expected);
}

export async function verifyPiece(storage: PieceStorage, hashes: PieceHashes, piece: number): Promise<boolean> {
  return pieceMatches(await storage.readPiece(piece), hashes.pieceHash(piece));
}

export interface RecheckOptions {
  readonly signal?: AbortSignal;
  /** Only these pieces (default: all); the others are copied from `start`. */
  readonly pieces?: Iterable<number>;
  /** Starting bitfield for pieces not rechecked (default: empty). */
  readonly start?: Bitfield;
  /** Reads in flight at once: overlaps disk reads with hashing. */
  readonly concurrency?: number;
  onProgress?(done: number, total: number): void;
}

/** Hashes pieces from storage; returns the bitfield of pieces that verify. */
export async function recheck(storage: PieceStorage, hashes: PieceHashes, options: RecheckOptions = {}): Promise<Bitfield> {
  const have = options.start ? options.start.clone() : new Bitfield(hashes.pieceCount);
  const todo = options.pieces ? [...new Set(options.pieces)] : Array.from({ length: hashes.pieceCount }, (_, i) => i);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      throwIfAborted(options.signal);
      const piece = todo[next++] as number;
      if (await verifyPiece(storage, hashes, piece)) have.set(piece);
      else have.clear(piece);
      options.onProgress?.(++done, todo.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  return have;
}
