/**
 * Incremental decoder for the message stream after the handshake.
 *
 * Chunks are queued, never concatenated on arrival: a message that lies inside one chunk is a
 * view of it (zero copy) and one spanning chunks is copied exactly once, so decoding is linear
 * whatever the chunking. Lengths are checked twice before buffering: against the overall maximum
 * as soon as the 4-byte prefix is in, and against the message type's bounds as soon as the id
 * byte is in. Unknown ids are skipped without buffering their payload.
 */
import { FrameTooLargeError } from '../../src/errors.ts';
import { BLOCK_SIZE, bodyBounds, parseBody, type Message, type ParseLimits } from './messages.ts';
import { WireError } from './wire-error.ts';

export interface DecoderOptions {
  /** Largest request/cancel length and piece block (default 16 KiB). */
  maxBlock?: number;
  /** Largest extended message, and bitfield while the piece count is unknown (default 1 MiB). */
  maxExtended?: number;
  /** Piece count, when known (enables bitfield-size and index checks). */
  pieceCount?: number;
}

export const DEFAULT_MAX_EXTENDED = 1024 * 1024;

export class MessageDecoder {
  private readonly limits: ParseLimits;
  private readonly maxExtended: number;
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk: consumed chunks are dropped in batches (shift() is O(n)). */
  private first = 0;
  /** Read offset into chunks[first]. */
  private head = 0;
  private buffered = 0;
  /** Body length of the frame whose prefix has been consumed, or -1 between frames. */
  private bodyLength = -1;
  /** Bytes still to discard of an unknown message. */
  private skipping = 0;
  private failure: Error | undefined;

  constructor(options: DecoderOptions = {}) {
    this.limits = { maxBlock: options.maxBlock ?? BLOCK_SIZE, pieceCount: options.pieceCount };
    this.maxExtended = options.maxExtended ?? DEFAULT_MAX_EXTENDED;
  }

  /** Set once metadata is known (magnet links): later bitfields and indexes are checked. */
  setPieceCount(n: number): void {
    this.limits.pieceCount = n;
  }

  /** Largest length prefix accepted at all. */
  get maxFrame(): number {
    const bitfield = this.limits.pieceCount === undefined ? 0 : 1 + Math.ceil(this.limits.pieceCount / 8);
    return Math.max(9 + this.limits.maxBlock, bitfield, this.maxExtended);
  }

  /** Bytes received but not yet part of a decoded message (non-zero means mid-message). */
  get pending(): number {
    return this.buffered + (this.bodyLength >= 0 ? 4 : 0) + this.skipping;
  }

  /**
   * Feed bytes; returns the messages completed by them. Throws WireError or FrameTooLargeError on
   * a protocol violation, after which the decoder stays failed (the peer must be dropped).
   */
  push(chunk: Uint8Array): Message[] {
    const out: Message[] = [];
    this.feed(chunk, (m) => out.push(m));
    return out;
  }

  /**
   * Feed bytes, handing each message to `sink` as soon as it is decoded, so the messages before
   * a violation in the same chunk are still delivered, in order, before the error is thrown.
   */
  feed(chunk: Uint8Array, sink: (m: Message) => void): void {
    if (this.failure) throw this.failure;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, chunk.length);
      this.skipping -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    try {
      this.drain(sink);
    } catch (e) {
      this.failure = e as Error;
      this.chunks = [];
      this.first = 0;
      this.buffered = 0;
      throw e;
    }
  }

  private drain(sink: (m: Message) => void): void {
    for (;;) {
      if (this.bodyLength < 0) {
        if (this.buffered < 4) return;
        const len = this.u32At(0);
        if (len === 0) {
          this.consume(4);
          sink({ type: 'keep-alive' });
          continue;
        }
        if (len > this.maxFrame) throw new FrameTooLargeError(len, this.maxFrame);
        if (this.buffered < 5) return;
        const id = this.byteAt(4);
        const bounds = bodyBounds(id, this.limits, this.maxExtended);
        this.consume(4);
        if (bounds === undefined) {
          sink({ type: 'unknown', id, length: len });
          this.skip(len);
          continue;
        }
        if (len > bounds[1]) throw new FrameTooLargeError(len, bounds[1]);
        if (len < bounds[0]) throw new WireError('bad-length', `message id ${id} with length ${len}, expected at least ${bounds[0]}`);
        this.bodyLength = len;
      }
      if (this.buffered < this.bodyLength) return;
      const body = this.take(this.bodyLength);
      this.bodyLength = -1;
      sink(parseBody(body, this.limits));
    }
  }

  private byteAt(offset: number): number {
    let at = this.head + offset;
    for (let i = this.first; i < this.chunks.length; i++) {
      const c = this.chunks[i]!;
      if (at < c.length) return c[at]!;
      at -= c.length;
    }
    throw new RangeError('read past buffered data');
  }

  private u32At(offset: number): number {
    const c = this.chunks[this.first]!;
    if (this.head + offset + 4 <= c.length) {
      const p = this.head + offset;
      return ((c[p]! << 24) | (c[p + 1]! << 16) | (c[p + 2]! << 8) | c[p + 3]!) >>> 0;
    }
    return ((this.byteAt(offset) << 24) | (this.byteAt(offset + 1) << 16) | (this.byteAt(offset + 2) << 8) | this.byteAt(offset + 3)) >>> 0;
  }

  private consume(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const c = this.chunks[this.first]!;
      const left = c.length - this.head;
      if (n < left) {
        this.head += n;
        return;
      }
      n -= left;
      this.first++;
      this.head = 0;
    }
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
    } else if (this.first >= 64 && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  /** Discard n bytes, those buffered now and those still to come. */
  private skip(n: number): void {
    const now = Math.min(n, this.buffered);
    this.consume(now);
    this.skipping = n - now;
  }

  /** Remove and return n buffered bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Uint8Array {
    const first = this.chunks[this.first]!;
    if (this.head + n <= first.length) {
      const view = first.subarray(this.head, this.head + n);
      this.consume(n);
      return view;
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[this.first]!;
      const piece = c.subarray(this.head, Math.min(c.length, this.head + (n - at)));
      out.set(piece, at);
      at += piece.length;
      this.consume(piece.length);
    }
    return out;
  }
}
