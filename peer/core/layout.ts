/**
 * The file ↔ piece ↔ block mapping. A torrent is one byte stream (the files concatenated in
 * order); pieces cut it into `pieceLength` chunks (the last one short) and blocks cut pieces
 * into 16 KiB requests (the last one short). Takes only what it needs from the metainfo so it
 * can be built from a parsed torrent, a test fixture or a lab scenario alike.
 */
import { MetainfoError } from '../../src/errors.ts';

export const BLOCK_SIZE = 16 * 1024;

export interface LayoutFile {
  readonly path: readonly string[];
  readonly length: number;
  /** BEP 47 padding file: never written to disk, reads as zeros. */
  readonly pad?: boolean;
}

export interface LayoutInput {
  readonly pieceLength: number;
  readonly length: number;
  readonly files: readonly LayoutFile[];
}

/** A run of bytes of one piece that lives in one file. */
export interface FileSlice {
  readonly fileIndex: number;
  /** Offset inside the file. */
  readonly fileOffset: number;
  /** Offset inside the piece. */
  readonly pieceOffset: number;
  readonly length: number;
}

export interface BlockRef {
  readonly piece: number;
  readonly begin: number;
  readonly length: number;
}

export class Layout {
  readonly pieceLength: number;
  readonly length: number;
  readonly pieceCount: number;
  readonly blockSize: number;
  readonly files: readonly LayoutFile[];
  /** Stream offset of each file's first byte. */
  readonly fileOffsets: readonly number[];

  constructor(input: LayoutInput, blockSize = BLOCK_SIZE) {
    const { pieceLength, length, files } = input;
    if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new MetainfoError(`bad piece length ${pieceLength}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new MetainfoError(`bad total length ${length}`);
    if (!Number.isSafeInteger(blockSize) || blockSize <= 0) throw new RangeError(`bad block size ${blockSize}`);
    const offsets: number[] = [];
    let sum = 0;
    for (const f of files) {
      if (!Number.isSafeInteger(f.length) || f.length < 0) throw new MetainfoError(`bad file length ${f.length}`);
      offsets.push(sum);
      sum += f.length;
    }
    if (sum !== length) throw new MetainfoError(`file lengths sum to ${sum}, torrent length is ${length}`);
    this.pieceLength = pieceLength;
    this.length = length;
    this.blockSize = blockSize;
    this.files = files;
    this.fileOffsets = offsets;
    this.pieceCount = Math.ceil(length / pieceLength);
  }

  /** Size of piece i; only the last piece may be short. */
  pieceSize(i: number): number {
    this.checkPiece(i);
    return Math.min(this.pieceLength, this.length - i * this.pieceLength);
  }

  blockCount(piece: number): number {
    return Math.ceil(this.pieceSize(piece) / this.blockSize);
  }

  /** The block at `index` in `piece` (the last one may be short). */
  block(piece: number, index: number): BlockRef {
    const size = this.pieceSize(piece);
    const begin = index * this.blockSize;
    if (!Number.isInteger(index) || index < 0 || begin >= size) throw new RangeError(`block ${index} outside piece ${piece}`);
    return { piece, begin, length: Math.min(this.blockSize, size - begin) };
  }

  blocks(piece: number): BlockRef[] {
    const out: BlockRef[] = [];
    const n = this.blockCount(piece);
    for (let b = 0; b < n; b++) out.push(this.block(piece, b));
    return out;
  }

  /**
   * The file slices covering bytes [begin, begin+length) of a piece, in stream order.
   * Zero-length files are skipped: they own no bytes.
   */
  slices(piece: number, begin = 0, length?: number): FileSlice[] {
    const size = this.pieceSize(piece);
    const len = length ?? size - begin;
    if (begin < 0 || len < 0 || begin + len > size) throw new RangeError(`range ${begin}+${len} outside piece ${piece}`);
    const out: FileSlice[] = [];
    let pos = piece * this.pieceLength + begin;
    const end = pos + len;
    let f = this.fileAt(pos);
    while (pos < end && f < this.files.length) {
      const fileStart = this.fileOffsets[f] as number;
      const fileEnd = fileStart + (this.files[f] as LayoutFile).length;
      if (fileEnd > pos) {
        const n = Math.min(end, fileEnd) - pos;
        out.push({ fileIndex: f, fileOffset: pos - fileStart, pieceOffset: pos - piece * this.pieceLength, length: n });
        pos += n;
      }
      f++;
    }
    return out;
  }

  /** Index of the file holding stream byte `offset` (binary search; skips empty files). */
  fileAt(offset: number): number {
    let lo = 0;
    let hi = this.files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.fileOffsets[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    // Several files may start at `offset` when some are empty: move to the one that owns bytes.
    while (lo < this.files.length - 1 && (this.files[lo] as LayoutFile).length === 0) lo++;
    return lo;
  }

  /** Piece and offset in it of stream byte `offset`. */
  locate(offset: number): { piece: number; offset: number } {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.length) throw new RangeError(`offset ${offset} outside torrent`);
    const piece = Math.floor(offset / this.pieceLength);
    return { piece, offset: offset - piece * this.pieceLength };
  }

  /** Pieces that hold at least one byte of file f (empty for a zero-length file). */
  piecesOfFile(f: number): { first: number; last: number } | undefined {
    const file = this.files[f];
    if (!file) throw new RangeError(`no file ${f}`);
    if (file.length === 0) return undefined;
    const start = this.fileOffsets[f] as number;
    return { first: Math.floor(start / this.pieceLength), last: Math.floor((start + file.length - 1) / this.pieceLength) };
  }

  /**
   * Why a peer's request (index, begin, length) must be refused, or undefined if it is fine.
   * Requests must stay inside one piece (hence inside the torrent) and be at most `maxLength`.
   */
  requestProblem(index: number, begin: number, length: number, maxLength = BLOCK_SIZE): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.pieceCount) return `piece ${index} out of range`;
    if (!Number.isInteger(begin) || begin < 0) return `bad begin ${begin}`;
    if (!Number.isInteger(length) || length <= 0) return `bad length ${length}`;
    if (length > maxLength) return `request of ${length} bytes exceeds ${maxLength}`;
    const size = this.pieceSize(index);
    if (begin + length > size) return `request ${begin}+${length} beyond end of piece ${index} (${size} bytes)`;
    return undefined;
  }

  private checkPiece(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.pieceCount) throw new RangeError(`piece ${i} out of range`);
  }
}
