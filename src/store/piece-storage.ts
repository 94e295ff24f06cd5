/**
 * Where piece data lives. One small interface with two implementations: files on disk
 * (piece-storage-file.ts) and memory (here, for tests and the lab). Offsets are piece-relative;
 * the Layout maps them onto files, so callers never deal with file boundaries.
 */
import type { Layout } from '../../peer/core/layout.ts';
import { ClosedError } from '../errors.ts';

export interface PieceStorage {
  readonly layout: Layout;
  /** Creates/opens the files (idempotent). */
  open(signal?: AbortSignal): Promise<void>;
  read(piece: number, begin: number, length: number): Promise<Uint8Array>;
  write(piece: number, begin: number, data: Uint8Array): Promise<void>;
  readPiece(piece: number): Promise<Uint8Array>;
  /** Releases file handles (idempotent). */
  close(): Promise<void>;
}

/** Size and modification time of a file on disk (resume data compares them at restart). */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
}

/** All data in one buffer. Pieces read before being written read as zeros, like sparse files. */
export class MemoryStorage implements PieceStorage {
  readonly layout: Layout;
  private data: Uint8Array | undefined;
  private closed = false;

  constructor(layout: Layout, initial?: Uint8Array) {
    this.layout = layout;
    if (initial) {
      if (initial.length !== layout.length) throw new RangeError(`initial data of ${initial.length} bytes, torrent is ${layout.length}`);
      this.data = initial.slice();
    }
  }

  async open(): Promise<void> {
    this.closed = false;
    this.data ??= new Uint8Array(this.layout.length);
  }

  async read(piece: number, begin: number, length: number): Promise<Uint8Array> {
    const at = this.at(piece, begin, length);
    return this.buf().slice(at, at + length);
  }

  async write(piece: number, begin: number, data: Uint8Array): Promise<void> {
    this.buf().set(data, this.at(piece, begin, data.length));
  }

  readPiece(piece: number): Promise<Uint8Array> {
    return this.read(piece, 0, this.layout.pieceSize(piece));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private buf(): Uint8Array {
    if (!this.data || this.closed) throw new ClosedError('storage is not open');
    return this.data;
  }

  private at(piece: number, begin: number, length: number): number {
    const size = this.layout.pieceSize(piece);
    if (!Number.isInteger(begin) || begin < 0 || length < 0 || begin + length > size) {
      throw new RangeError(`range ${begin}+${length} outside piece ${piece}`);
    }
    return piece * this.layout.pieceLength + begin;
  }
}
