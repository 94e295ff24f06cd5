/**
 * Whole pieces read once for serving, kept in a small LRU bounded by bytes. Peers ask for a
 * piece's blocks one after another, so one read per piece replaces one read (and one promise)
 * per 16 KiB block; blocks are served as views of the cached piece, never copied. Concurrent
 * misses on one piece share a single read.
 */
import type { PieceStorage } from '../../src/store/piece-storage.ts';

export class PieceCache {
  private readonly storage: PieceStorage;
  private readonly maxBytes: number;
  /** Map order is recency: the first entry is the least recently used. */
  private readonly pieces = new Map<number, Uint8Array>();
  private readonly reading = new Map<number, Promise<Uint8Array>>();
  private bytes = 0;

  constructor(storage: PieceStorage, options: { maxBytes?: number } = {}) {
    this.storage = storage;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  }

  get size(): number {
    return this.bytes;
  }

  /** The block if its piece is cached (marks it recently used), else undefined. */
  peek(piece: number, begin: number, length: number): Uint8Array | undefined {
    const data = this.pieces.get(piece);
    if (!data) return undefined;
    this.pieces.delete(piece);
    this.pieces.set(piece, data);
    return data.subarray(begin, begin + length);
  }

  /** Pieces being read from disk now. */
  get readingCount(): number {
    return this.reading.size;
  }

  async block(piece: number, begin: number, length: number): Promise<Uint8Array> {
    const hit = this.peek(piece, begin, length);
    if (hit) return hit;
    // A piece bigger than the whole cache is never kept: read just the block.
    if (!this.cacheable(piece)) return this.storage.read(piece, begin, length);
    return (await this.load(piece)).subarray(begin, begin + length);
  }

  /**
   * Starts reading a piece that is neither cached nor being read (read-ahead: a peer's queued
   * requests name the pieces it wants next, so their disk reads overlap sending the current one).
   * True if a read started.
   */
  prefetch(piece: number): boolean {
    if (this.pieces.has(piece) || this.reading.has(piece) || !this.cacheable(piece)) return false;
    this.load(piece).catch(() => undefined); // a failed read is reported to whoever asks for the block
    return true;
  }

  private cacheable(piece: number): boolean {
    return this.storage.layout.pieceSize(piece) <= this.maxBytes;
  }

  private load(piece: number): Promise<Uint8Array> {
    let p = this.reading.get(piece);
    if (!p) {
      p = this.storage.readPiece(piece);
      this.reading.set(piece, p);
      p.then((data) => this.keep(piece, data), () => undefined).finally(() => this.reading.delete(piece));
    }
    return p;
  }

  /** A piece changed on disk (re-downloaded after a failed check): forget it. */
  drop(piece: number): void {
    const data = this.pieces.get(piece);
    if (!data) return;
    this.pieces.delete(piece);
    this.bytes -= data.length;
  }

  clear(): void {
    this.pieces.clear();
    this.bytes = 0;
  }

  private keep(piece: number, data: Uint8Array): void {
    if (this.pieces.has(piece)) return;
    this.pieces.set(piece, data);
    this.bytes += data.length;
    for (const [k, v] of this.pieces) {
      if (this.bytes <= this.maxBytes) break;
      this.pieces.delete(k);
      this.bytes -= v.length;
    }
  }
}
