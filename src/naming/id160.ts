/**
 * 160-bit identifiers (Chord node ids, keys, infohashes) as bigints in [0, 2^160), with ring
 * arithmetic. Pure: no I/O; randomness comes from Web Crypto or an injected `Random`.
 */
import { createHash } from 'node:crypto';
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

/** SHA-1 of the data (strings as UTF-8). node:crypto is a deterministic function, not I/O. */
export function sha1(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}
