/**
 * A fixed-size set of piece indexes in the BitTorrent wire layout (BEP 3): bit 7 of byte 0 is
 * piece 0, and spare bits at the end of the last byte must be zero. Keeps a running count so
 * `count` and `isComplete` are O(1) — the picker asks for them on every block.
 */
import { ProtocolError } from '../../src/errors.ts';

export class Bitfield {
  readonly size: number;
  private readonly bits: Uint8Array;
  private setCount = 0;

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad bitfield size ${size}`);
    this.size = size;
    this.bits = new Uint8Array(Math.ceil(size / 8));
  }

  /** Parses wire bytes; a wrong length or a set spare bit is a protocol violation. */
  static fromBytes(bytes: Uint8Array, size: number): Bitfield {
    const bf = new Bitfield(size);
    if (bytes.length !== bf.bits.length) {
      throw new ProtocolError(`bitfield of ${bytes.length} bytes, expected ${bf.bits.length} for ${size} pieces`);
    }
    const spare = bf.bits.length * 8 - size;
    if (spare > 0 && ((bytes[bytes.length - 1] as number) & ((1 << spare) - 1)) !== 0) {
      throw new ProtocolError('bitfield has spare bits set');
    }
    bf.bits.set(bytes);
    for (const b of bytes) bf.setCount += popcount8(b);
    return bf;
  }

  /** A bitfield with every piece set (a seed). */
  static full(size: number): Bitfield {
    const bf = new Bitfield(size);
    for (let i = 0; i < size; i++) bf.set(i);
    return bf;
  }

  /** Test fixtures in libtorrent's style: any non-space character is a set bit ("* * *  "). */
  static fromString(s: string): Bitfield {
    const bf = new Bitfield(s.length);
    for (let i = 0; i < s.length; i++) if (s[i] !== ' ' && s[i] !== '.' && s[i] !== '0') bf.set(i);
    return bf;
  }

  /** A copy of the wire bytes. */
  toBytes(): Uint8Array {
    return this.bits.slice();
  }

  get count(): number {
    return this.setCount;
  }

  get isComplete(): boolean {
    return this.setCount === this.size;
  }

  get isEmpty(): boolean {
    return this.setCount === 0;
  }

  has(i: number): boolean {
    if (!this.inRange(i)) return false;
    return ((this.bits[i >> 3] as number) & (0x80 >> (i & 7))) !== 0;
  }

  /** Sets bit i; returns true if it was not set before. Out of range throws a RangeError. */
  set(i: number): boolean {
    this.check(i);
    const mask = 0x80 >> (i & 7);
    const byte = this.bits[i >> 3] as number;
    if (byte & mask) return false;
    this.bits[i >> 3] = byte | mask;
    this.setCount++;
    return true;
  }

  /** Clears bit i; returns true if it was set before. */
  clear(i: number): boolean {
    this.check(i);
    const mask = 0x80 >> (i & 7);
    const byte = this.bits[i >> 3] as number;
    if (!(byte & mask)) return false;
    this.bits[i >> 3] = byte & ~mask;
    this.setCount--;
    return true;
  }

  inRange(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.size;
  }

  clone(): Bitfield {
    return Bitfield.fromBytes(this.bits, this.size);
  }

  /** Indexes of set bits, ascending. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let byte = 0; byte < this.bits.length; byte++) {
      const b = this.bits[byte] as number;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) yield byte * 8 + bit;
    }
  }

  /** Indexes of clear bits, ascending. */
  *missing(): IterableIterator<number> {
    for (let i = 0; i < this.size; i++) if (!this.has(i)) yield i;
  }

  /** Libtorrent-style rendering: '*' for set, ' ' for clear. */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.size; i++) s += this.has(i) ? '*' : ' ';
    return s;
  }

  private check(i: number): void {
    if (!this.inRange(i)) throw new RangeError(`bit ${i} outside bitfield of ${this.size}`);
  }
}

function popcount8(b: number): number {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
}
