/**
 * Incremental 4-byte big-endian length-prefix framing (the BitTorrent wire protocol's message
 * framing after the handshake, and our control socket's). Pure: no node:* imports.
 *
 * Chunks are kept in a queue and only copied when a frame spans several of them, so feeding
 * many tiny chunks costs O(total bytes), not O(n²). A payload that lies inside one chunk is
 * returned as a zero-copy view of that chunk: callers that reuse their input buffers must copy.
 */
import { FrameTooLargeError } from '../errors.ts';

export interface FramerOptions {
  /** Largest payload accepted, in bytes (the prefix itself not counted). */
  maxFrame: number;
  /** Only 4 is supported; kept as an option so the shape is explicit at call sites. */
  prefixBytes?: 4;
}

const PREFIX = 4;
const EMPTY = new Uint8Array(0);

export class LengthPrefixFramer {
  readonly maxFrame: number;
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk; consumed chunks are dropped in batches (shift is O(n)). */
  private first = 0;
  /** Read offset into chunks[first]. */
  private head = 0;
  private total = 0;
  /** Payload length of the frame being assembled, once its prefix is read. */
  private need = -1;
  /** Once a bad prefix is seen the stream is unrecoverable: every later push throws again. */
  private failed: FrameTooLargeError | undefined;

  constructor(o: FramerOptions) {
    if (!Number.isInteger(o.maxFrame) || o.maxFrame < 0) throw new RangeError('maxFrame must be a non-negative integer');
    if (o.prefixBytes !== undefined && o.prefixBytes !== PREFIX) throw new RangeError('only 4-byte prefixes are supported');
    this.maxFrame = o.maxFrame;
  }

  /** Bytes received but not yet returned as part of a frame (prefix bytes included). */
  get buffered(): number {
    return this.total + (this.need >= 0 ? PREFIX : 0);
  }

  /**
   * Feed bytes; returns every payload completed by them, in order (empty payloads for
   * zero-length frames such as keep-alives). Throws FrameTooLargeError as soon as a prefix
   * over maxFrame is complete, before its payload arrives.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.total < PREFIX) break;
        const p = this.read(PREFIX);
        const len = ((p[0] as number) * 0x1000000) + (((p[1] as number) << 16) | ((p[2] as number) << 8) | (p[3] as number));
        if (len > this.maxFrame) {
          this.failed = new FrameTooLargeError(len, this.maxFrame);
          throw this.failed;
        }
        this.need = len;
      }
      if (this.total < this.need) break;
      out.push(this.read(this.need));
      this.need = -1;
    }
    return out;
  }

  /** Consume exactly n buffered bytes (n <= total). */
  private read(n: number): Uint8Array {
    this.total -= n;
    const first = this.chunks[this.first];
    if (n === 0 || first === undefined) return new Uint8Array(0);
    const avail = first.length - this.head;
    if (n <= avail) {
      const view = first.subarray(this.head, this.head + n);
      this.advance(n, avail);
      return view;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[this.first] as Uint8Array;
      const take = Math.min(n - filled, c.length - this.head);
      out.set(c.subarray(this.head, this.head + take), filled);
      filled += take;
      this.advance(take, c.length - this.head);
    }
    return out;
  }

  private advance(n: number, avail: number): void {
    if (n === avail) {
      this.chunks[this.first] = EMPTY; // release the buffer now, not at the next compaction
      this.first++;
      this.head = 0;
      if (this.first === this.chunks.length) {
        this.chunks = [];
        this.first = 0;
      } else if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.first);
        this.first = 0;
      }
    } else {
      this.head += n;
    }
  }
}

/** A payload with its 4-byte big-endian length prefix. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const len = payload.length;
  if (len > 0xffffffff) throw new RangeError('payload too large for a 4-byte prefix');
  const out = new Uint8Array(PREFIX + len);
  out[0] = (len >>> 24) & 0xff;
  out[1] = (len >>> 16) & 0xff;
  out[2] = (len >>> 8) & 0xff;
  out[3] = len & 0xff;
  out.set(payload, PREFIX);
  return out;
}
