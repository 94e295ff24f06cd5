/**
 * 160-bit identifiers (Chord node ids, keys, infohashes) as bigints in [0, 2^160), with ring
 * arithmetic. This module imports no `node:*` module so pure cores (Chord routing, tracker
 * swarm) can use it: SHA-1 is implemented here, and randomness comes from Web Crypto or an
 * injected `Random`.
 */
import type { Random } from '../random.ts';

export type Id160 = bigint;
export const ID_BITS = 160;
export const ID_BYTES = 20;
export const RING_SIZE: bigint = 2n ** 160n;
export const MAX_ID: Id160 = RING_SIZE - 1n;

/** Wraps any bigint into the ring: the result is in [0, 2^160). */
function mod(x: bigint): bigint {
  const r = x % RING_SIZE;
  return r < 0n ? r + RING_SIZE : r;
}

export function isId160(x: unknown): x is Id160 {
  return typeof x === 'bigint' && x >= 0n && x < RING_SIZE;
}

function checkId(id: Id160, what = 'id'): void {
  if (!isId160(id)) throw new RangeError(`${what} is not a 160-bit id: ${String(id)}`);
}

/** Exactly 20 bytes, big-endian (the wire form of infohashes and node ids). */
export function idFromBytes(b: Uint8Array): Id160 {
  if (!(b instanceof Uint8Array) || b.length !== ID_BYTES) {
    throw new RangeError(`an id needs exactly ${ID_BYTES} bytes, got ${b?.length}`);
  }
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

export function idToBytes(id: Id160): Uint8Array {
  checkId(id);
  const out = new Uint8Array(ID_BYTES);
  let x = id;
  for (let i = ID_BYTES - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

const HEX40 = /^[0-9a-fA-F]{40}$/;

export function idFromHex(hex: string): Id160 {
  if (typeof hex !== 'string' || !HEX40.test(hex)) {
    throw new RangeError(`an id needs exactly 40 hex characters, got ${JSON.stringify(hex)}`);
  }
  return BigInt(`0x${hex}`);
}

export function idToHex(id: Id160): string {
  checkId(id);
  return id.toString(16).padStart(40, '0');
}

/** First 8 hex characters, for logs and the TUI. */
export function shortId(id: Id160): string {
  return idToHex(id).slice(0, 8);
}

/** (a + b) mod 2^160; b may be negative or larger than the ring. */
export function addId(a: Id160, b: bigint): Id160 {
  return mod(a + b);
}

/** id + 2^i mod 2^160: the start of Chord finger i. */
export function addPow2(id: Id160, i: number): Id160 {
  if (!Number.isInteger(i) || i < 0 || i >= ID_BITS) {
    throw new RangeError(`finger index must be an integer in [0, ${ID_BITS}), got ${i}`);
  }
  return mod(id + (1n << BigInt(i)));
}

export function compareId(a: Id160, b: Id160): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Steps clockwise from `from` to `to`: (to - from) mod 2^160, in [0, 2^160). */
export function clockwiseDistance(from: Id160, to: Id160): bigint {
  return mod(to - from);
}

export type IntervalEnds = '()' | '(]' | '[)' | '[]';

/**
 * Ring interval membership going clockwise from a to b. When a === b: '()' is the whole
 * ring except a; '(]', '[)' and '[]' are the whole ring (Chord's convention: a node that is
 * its own successor owns every key).
 */
export function inInterval(x: Id160, a: Id160, b: Id160, ends: IntervalEnds): boolean {
  if (a === b) return ends === '()' ? x !== a : true;
  // Measure everything from a: x is inside when its distance falls in [0, dist(a, b)].
  const d = clockwiseDistance(a, x);
  const span = clockwiseDistance(a, b);
  const afterStart = ends[0] === '[' ? d >= 0n : d > 0n;
  const beforeEnd = ends[1] === ']' ? d <= span : d < span;
  return afterStart && beforeEnd;
}

/** A uniformly random id: from the injected source when given (reproducible lab runs), else Web Crypto. */
export function randomId(random?: Random): Id160 {
  let x = 0n;
  if (random) {
    for (let i = 0; i < ID_BITS / 16; i++) x = (x << 16n) | BigInt(random.int(0x10000));
    return x;
  }
  const bytes = new Uint8Array(ID_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  return idFromBytes(bytes);
}

/** SHA-1 of the data (strings as UTF-8) as an id. */
export function sha1Id(data: Uint8Array | string): Id160 {
  return idFromBytes(sha1(data));
}

/**
 * SHA-1 (FIPS 180-4) in plain TypeScript, so this module stays free of `node:crypto`. Meant
 * for ids (short inputs); piece hashing uses node:crypto in the store layer.
 */
export function sha1(data: Uint8Array | string): Uint8Array {
  const msg = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const bitLen = BigInt(msg.length) * 8n;
  // Pad: 0x80, zeros, then the 64-bit big-endian bit length, to a multiple of 64 bytes.
  const total = Math.ceil((msg.length + 9) / 64) * 64;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[msg.length] = 0x80;
  const view = new DataView(buf.buffer);
  view.setBigUint64(total - 8, bitLen);

  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  for (let off = 0; off < total; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(off + t * 4);
    for (let t = 16; t < 80; t++) {
      const v = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (v << 1) | (v >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(ID_BYTES);
  const ov = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => ov.setUint32(i * 4, h >>> 0));
  return out;
}
