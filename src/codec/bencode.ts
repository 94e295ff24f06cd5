/**
 * Strict, byte-exact bencode (BEP 3).
 *
 * Hand-written rather than wrapping the `bencode` npm package: that package loses precision above
 * 2^53, encodes bigints wrongly, turns non-UTF-8 keys into hex and ignores trailing bytes — and
 * the infohash depends on every byte. The package is still used as a cross-check oracle in tests.
 *
 * Dict keys are the raw key bytes as a 'latin1' string (one char per byte), so ASCII keys read
 * naturally and any key round-trips exactly. Decoded dicts keep insertion order (real torrents
 * sometimes have unsorted keys) so re-encoding reproduces the input byte for byte.
 */
import { BencodeError } from '../errors.ts';

export type BValue = number | bigint | Uint8Array | BValue[] | BDict;
export type BDict = Map<string, BValue>;

/** What `bencode()` accepts: BValue plus JS conveniences (strings as UTF-8, booleans as 0/1, plain objects). */
export type BEncodable =
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | readonly BEncodable[]
  | ReadonlyMap<string, BEncodable>
  | { readonly [key: string]: BEncodable | undefined | null };

export interface DecodeOptions {
  /** Maximum nesting of lists/dicts (default 64). Deeper input is a BencodeError, never a stack overflow. */
  maxDepth?: number;
}

export interface EncodeOptions {
  /** Sort Map keys by raw bytes (plain-object keys are always sorted). Default false: keep Map order. */
  canonical?: boolean;
}

const I = 0x69; // i
const L = 0x6c; // l
const D = 0x64; // d
const E = 0x65; // e
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Integers longer than this are rejected: nothing legitimate needs them and BigInt parsing is superlinear. */
const MAX_INT_DIGITS = 1000;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

type Frame = { list: BValue[] } | { dict: BDict; key: string | undefined; keyAt: number };

/** Decode exactly one value that must fill the whole buffer. */
export function bdecode(buf: Uint8Array, options?: DecodeOptions): BValue {
  const { value, end } = bdecodePrefix(buf, options);
  if (end !== buf.length) throw new BencodeError(`${buf.length - end} trailing bytes`, end);
  return value;
}

/** Decode one value from the start of buf; report where it ends (BEP 9 puts raw bytes after it). */
export function bdecodePrefix(buf: Uint8Array, options?: DecodeOptions): { value: BValue; end: number } {
  return decodeAt(buf, 0, options?.maxDepth ?? 64);
}

/** The iterative decoder core: an explicit stack, so hostile nesting cannot overflow the JS stack. */
function decodeAt(buf: Uint8Array, start: number, maxDepth: number): { value: BValue; end: number } {
  const stack: Frame[] = [];
  let pos = start;
  for (;;) {
    if (pos >= buf.length) throw new BencodeError('unexpected end of input', pos);
    const c = buf[pos]!;
    const top = stack[stack.length - 1];
    if (top !== undefined && 'dict' in top && top.key === undefined && c !== E && !isDigit(c)) {
      throw new BencodeError('dict key must be a byte string', pos);
    }
    let value: BValue;
    if (c === I) {
      [value, pos] = readInt(buf, pos);
    } else if (isDigit(c)) {
      [value, pos] = readBytes(buf, pos);
    } else if (c === L || c === D) {
      if (stack.length >= maxDepth) throw new BencodeError(`nesting deeper than ${maxDepth}`, pos);
      stack.push(c === L ? { list: [] } : { dict: new Map(), key: undefined, keyAt: 0 });
      pos++;
      continue;
    } else if (c === E && top !== undefined) {
      if ('dict' in top) {
        if (top.key !== undefined) throw new BencodeError('dict key without a value', pos);
        value = top.dict;
      } else {
        value = top.list;
      }
      stack.pop();
      pos++;
    } else {
      throw new BencodeError(`unexpected byte 0x${c.toString(16).padStart(2, '0')}`, pos);
    }
    // Attach the completed value to its parent, or return it at top level.
    const parent = stack[stack.length - 1];
    if (parent === undefined) return { value, end: pos };
    if ('list' in parent) {
      parent.list.push(value);
    } else if (parent.key === undefined) {
      const key = latin1(value as Uint8Array);
      if (parent.dict.has(key)) throw new BencodeError(`duplicate dict key ${JSON.stringify(key)}`, parent.keyAt);
      parent.key = key;
    } else {
      parent.dict.set(parent.key, value);
      parent.key = undefined;
    }
    if ('dict' in parent && parent.key === undefined) parent.keyAt = pos;
  }
}

function readInt(buf: Uint8Array, at: number): [number | bigint, number] {
  let p = at + 1;
  const neg = buf[p] === MINUS;
  if (neg) p++;
  const digitsAt = p;
  while (isDigit(buf[p])) p++;
  const n = p - digitsAt;
  if (p >= buf.length) throw new BencodeError('unterminated integer', at);
  if (buf[p] !== E) throw new BencodeError('non-digit in integer', p);
  if (n === 0) throw new BencodeError('integer without digits', at);
  if (n > MAX_INT_DIGITS) throw new BencodeError('integer too long', at);
  if (buf[digitsAt] === ZERO && (n > 1 || neg)) throw new BencodeError(neg ? 'negative zero' : 'integer with leading zero', at);
  let s = '';
  for (let i = at + 1; i < p; i++) s += String.fromCharCode(buf[i]!);
  if (n <= 15) return [Number(s), p + 1];
  const big = BigInt(s);
  const asNum = Number(big);
  return [Number.isSafeInteger(asNum) ? asNum : big, p + 1];
}

function readBytes(buf: Uint8Array, at: number): [Uint8Array, number] {
  let p = at;
  let len = 0;
  while (isDigit(buf[p])) {
    if (p - at >= 15) throw new BencodeError('byte string length too long', at);
    len = len * 10 + (buf[p]! - ZERO);
    p++;
  }
  if (p >= buf.length) throw new BencodeError('unterminated byte string length', at);
  if (buf[p] !== COLON) throw new BencodeError('non-digit in byte string length', p);
  if (buf[at] === ZERO && p - at > 1) throw new BencodeError('byte string length with leading zero', at);
  const from = p + 1;
  if (from + len > buf.length) throw new BencodeError(`byte string of ${len} bytes truncated`, at);
  // Copy: callers often hand us pooled network buffers that will be reused.
  return [new Uint8Array(buf.subarray(from, from + len)), from + len];
}

/** Raw bytes as a latin1 string (one char per byte): the dict key representation. */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode(...b.subarray(i, Math.min(i + 4096, b.length)));
  }
  return s;
}

/** The bytes of a latin1 key string. Throws BencodeError on chars above 0xFF. */
export function keyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0xff) throw new BencodeError(`dict key ${JSON.stringify(key)} is not a latin1 byte string`);
    out[i] = c;
  }
  return out;
}

/** A UTF-8 text key (e.g. 'name.utf-8' or a non-ASCII path) in the latin1 key form used by BDict. */
export function bkey(text: string): string {
  return latin1(utf8(text));
}

const encoder = new TextEncoder();
const lenientDecoder = new TextDecoder('utf-8');
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Lenient UTF-8 decode for display (invalid sequences become U+FFFD). Use bstr() when it must be valid. */
export function text(b: Uint8Array): string {
  return lenientDecoder.decode(b);
}

/** A growable output buffer. */
class Writer {
  buf = new Uint8Array(256);
  len = 0;
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }
}

const MAX_ENCODE_DEPTH = 1000;

/** Encode a value. Map keys keep their order unless `canonical`; plain-object keys are UTF-8 and sorted. */
export function bencode(value: BEncodable, options?: EncodeOptions): Uint8Array {
  const w = new Writer();
  encodeInto(w, value, options?.canonical ?? false, 0);
  return w.buf.slice(0, w.len);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function encodeInto(w: Writer, v: BEncodable, canonical: boolean, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) throw new BencodeError('value nested too deeply (cycle?)');
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new BencodeError(`cannot encode non-integer number ${v}`);
    w.ascii(`i${Object.is(v, -0) ? 0 : BigInt(v).toString()}e`);
  } else if (typeof v === 'bigint') {
    w.ascii(`i${v.toString()}e`);
  } else if (typeof v === 'boolean') {
    w.ascii(v ? 'i1e' : 'i0e');
  } else if (typeof v === 'string') {
    const b = utf8(v);
    w.ascii(`${b.length}:`);
    w.bytes(b);
  } else if (v instanceof Uint8Array) {
    w.ascii(`${v.length}:`);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.ascii('l');
    for (const item of v as readonly BEncodable[]) encodeInto(w, item, canonical, depth + 1);
    w.ascii('e');
  } else if (v instanceof Map) {
    let entries = [...(v as ReadonlyMap<string, BEncodable>)].map(([k, x]) => [keyBytes(k), x] as const);
    if (canonical) entries = entries.sort((a, b) => compareBytes(a[0], b[0]));
    writeDict(w, entries, canonical, depth);
  } else if (isPlainObject(v)) {
    const entries: (readonly [Uint8Array, BEncodable])[] = [];
    for (const [k, x] of Object.entries(v)) {
      // Absent optional fields are simply left out, which is what every caller wants.
      if (x !== undefined && x !== null) entries.push([utf8(k), x]);
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    writeDict(w, entries, canonical, depth);
  } else {
    throw new BencodeError(`cannot encode ${v === null ? 'null' : typeof v}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, BEncodable | undefined | null> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function writeDict(w: Writer, entries: readonly (readonly [Uint8Array, BEncodable])[], canonical: boolean, depth: number): void {
  w.ascii('d');
  for (const [k, x] of entries) {
    w.ascii(`${k.length}:`);
    w.bytes(k);
    encodeInto(w, x, canonical, depth + 1);
  }
  w.ascii('e');
}

/**
 * The exact bytes of a nested value, e.g. rawSpan(torrent, ['info']) — the infohash is the SHA-1
 * of these bytes. Path items are latin1 keys. Undefined when a key is missing or a step is not a
 * dict; BencodeError when the bytes walked are malformed. Bytes outside the path are not checked.
 */
export function rawSpan(buf: Uint8Array, path: readonly string[], options?: DecodeOptions): Uint8Array | undefined {
  const maxDepth = options?.maxDepth ?? 64;
  let pos = 0;
  for (const want of path) {
    if (buf[pos] !== D) return undefined;
    let p = pos + 1;
    for (;;) {
      if (p >= buf.length) throw new BencodeError('unexpected end of input', p);
      if (buf[p] === E) return undefined;
      if (!isDigit(buf[p])) throw new BencodeError('dict key must be a byte string', p);
      const [key, valueAt] = readBytes(buf, p);
      if (latin1(key) === want) {
        pos = valueAt;
        break;
      }
      p = decodeAt(buf, valueAt, maxDepth).end;
    }
  }
  const { end } = decodeAt(buf, pos, maxDepth);
  return buf.slice(pos, end);
}

// ---- typed getters: throw BencodeError naming the field, so callers need no type juggling ----

function describe(v: BValue): string {
  if (typeof v === 'number' || typeof v === 'bigint') return 'integer';
  if (v instanceof Uint8Array) return 'byte string';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

function need(v: BValue | undefined, what: string): BValue {
  if (v === undefined) throw new BencodeError(`missing ${what}`);
  return v;
}

function wrong(v: BValue, what: string, expected: string): BencodeError {
  return new BencodeError(`${what}: expected ${expected}, got ${describe(v)}`);
}

export function bdict(v: BValue | undefined, what = 'value'): BDict {
  const x = need(v, what);
  if (x instanceof Map) return x;
  throw wrong(x, what, 'dict');
}

export function blist(v: BValue | undefined, what = 'value'): BValue[] {
  const x = need(v, what);
  if (Array.isArray(x)) return x;
  throw wrong(x, what, 'list');
}

export function bbytes(v: BValue | undefined, what = 'value'): Uint8Array {
  const x = need(v, what);
  if (x instanceof Uint8Array) return x;
  throw wrong(x, what, 'byte string');
}

/** A byte string that must be valid UTF-8. */
export function bstr(v: BValue | undefined, what = 'value'): string {
  const b = bbytes(v, what);
  try {
    return strictDecoder.decode(b);
  } catch {
    throw new BencodeError(`${what}: not valid UTF-8`);
  }
}

/** An integer that fits a JS number exactly. */
export function bint(v: BValue | undefined, what = 'value'): number {
  const x = need(v, what);
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') throw new BencodeError(`${what}: integer ${x} out of safe range`);
  throw wrong(x, what, 'integer');
}

/** Any integer, as bigint. */
export function bbigint(v: BValue | undefined, what = 'value'): bigint {
  const x = need(v, what);
  if (typeof x === 'number') return BigInt(x);
  if (typeof x === 'bigint') return x;
  throw wrong(x, what, 'integer');
}

/** Look a latin1 key up (undefined when absent); pass the result to a typed getter to require it, e.g. bint(bget(d, 'interval'), 'interval'). */
export function bget(d: BDict, key: string): BValue | undefined {
  return d.get(key);
}
