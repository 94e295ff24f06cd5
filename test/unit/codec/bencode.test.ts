import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bbytes,
  bdecode,
  bdecodePrefix,
  bdict,
  bencode,
  bget,
  bint,
  bkey,
  blist,
  bstr,
  keyBytes,
  latin1,
  rawSpan,
  text,
  utf8,
  type BValue,
} from '../../../src/codec/bencode.ts';
import { BencodeError } from '../../../src/errors.ts';

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0)); // latin1
const str = (b: Uint8Array): string => latin1(b);

/** Arbitrary decoded values: any key bytes, any ints including bigints beyond 2^53. */
const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.bigInt().filter((n) => !Number.isSafeInteger(Number(n))),
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(fc.uint8Array({ maxLength: 6 }).map(latin1), tie('v')), { maxLength: 4, selector: (e) => e[0] }).map((es) => new Map(es)),
  ),
})).v;

function expectBencodeError(input: string): BencodeError {
  try {
    bdecode(bytes(input));
  } catch (e) {
    expect(e).toBeInstanceOf(BencodeError);
    return e as BencodeError;
  }
  throw new Error(`expected BencodeError for ${JSON.stringify(input)}`);
}

describe('bdecode', () => {
  it('decodes the basic types', () => {
    expect(bdecode(bytes('i42e'))).toBe(42);
    expect(bdecode(bytes('i-7e'))).toBe(-7);
    expect(bdecode(bytes('i0e'))).toBe(0);
    expect(bdecode(bytes('4:spam'))).toEqual(bytes('spam'));
    expect(bdecode(bytes('0:'))).toEqual(new Uint8Array(0));
    expect(bdecode(bytes('l4:spami3ee'))).toEqual([bytes('spam'), 3]);
    expect(bdecode(bytes('d3:cow3:moo4:spam4:eggse'))).toEqual(new Map([['cow', bytes('moo')], ['spam', bytes('eggs')]]));
  });

  it('returns bigint beyond 2^53 and number within', () => {
    expect(bdecode(bytes('i9007199254740991e'))).toBe(9007199254740991);
    expect(bdecode(bytes('i9007199254740993e'))).toBe(9007199254740993n);
    expect(bdecode(bytes('i-9007199254740993e'))).toBe(-9007199254740993n);
    expect(bdecode(bytes('i123456789012345678901234567890e'))).toBe(123456789012345678901234567890n);
    expect(str(bencode(bdecode(bytes('i9007199254740993e'))))).toBe('i9007199254740993e');
  });

  it.each([
    ['trailing bytes', 'i1ei2e'],
    ['trailing byte after dict', 'de '],
    ['leading zero', 'i03e'],
    ['negative zero', 'i-0e'],
    ['empty integer', 'ie'],
    ['lone minus', 'i-e'],
    ['non-digit in int', 'i1x2e'],
    ['plus sign', 'i+1e'],
    ['unterminated int', 'i12'],
    ['leading zero length', '03:abc'],
    ['truncated string', '5:abc'],
    ['missing colon', '3abc'],
    ['unterminated list', 'l1:a'],
    ['unterminated dict', 'd1:a'],
    ['key without value', 'd1:ae'],
    ['int key', 'di1ei2ee'],
    ['list key', 'dle1:ae'],
    ['duplicate keys', 'd1:ai1e1:ai2ee'],
    ['stray e', 'e'],
    ['empty input', ''],
    ['unknown type', 'x'],
  ])('rejects %s', (_name, input) => {
    expectBencodeError(input);
  });

  it('reports the offset of the failure', () => {
    expect(expectBencodeError('l1:ai1xe').offset).toBe(6);
    expect(expectBencodeError('i1ei2e').offset).toBe(3);
  });

  it('rejects 100,000 nested lists with BencodeError, no stack overflow', () => {
    const deep = 'l'.repeat(100_000) + 'e'.repeat(100_000);
    const e = expectBencodeError(deep);
    expect(e.message).toMatch(/nesting/);
    // Even with the depth bound lifted the decoder is iterative: it must not overflow.
    const v = bdecode(bytes(deep), { maxDepth: Infinity });
    expect(Array.isArray(v)).toBe(true);
  });

  it('honours maxDepth exactly', () => {
    expect(() => bdecode(bytes('llee'), { maxDepth: 2 })).not.toThrow();
    expect(() => bdecode(bytes('llleee'), { maxDepth: 2 })).toThrow(BencodeError);
  });

  it('keeps unsorted keys in input order so re-encoding is byte-exact', () => {
    const input = 'd1:bi1e1:ai2ee';
    const v = bdict(bdecode(bytes(input)));
    expect([...v.keys()]).toEqual(['b', 'a']);
    expect(str(bencode(v))).toBe(input);
    expect(str(bencode(v, { canonical: true }))).toBe('d1:ai2e1:bi1ee');
  });

  it('round-trips non-UTF-8 keys exactly', () => {
    const input = 'd2:\xff\xfei1e3:\x00\x80ai2ee';
    const v = bdict(bdecode(bytes(input)));
    expect(v.get('\xff\xfe')).toBe(1);
    expect(str(bencode(v))).toBe(input);
  });

  it('copies byte strings out of the input buffer', () => {
    const buf = bytes('3:abc');
    const v = bbytes(bdecode(buf));
    buf[2] = 0x7a;
    expect(str(v)).toBe('abc');
  });

  it('bdecodePrefix reports where the value ends', () => {
    const buf = bytes('d8:msg_typei1e5:piecei0eeRAWBYTES');
    const { value, end } = bdecodePrefix(buf);
    expect(bint(bget(bdict(value), 'piece'))).toBe(0);
    expect(str(buf.subarray(end))).toBe('RAWBYTES');
  });

  it('property: encode∘decode is byte-exact for any value', () => {
    fc.assert(
      fc.property(bvalue, (v) => {
        const enc = bencode(v);
        const dec = bdecode(enc);
        expect(dec).toEqual(v);
        expect(bencode(dec)).toEqual(enc);
      }),
      { numRuns: 500 },
    );
  });

  it('fuzz: random bytes decode or throw only BencodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          const v = bdecode(b);
          expect(bencode(v)).toEqual(b); // anything accepted is canonical-per-input
        } catch (e) {
          expect(e).toBeInstanceOf(BencodeError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('fuzz: bencode-alphabet strings decode or throw only BencodeError', () => {
    const alphabet = fc.constantFrom(...'ilde0123456789:-ax');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (cs) => {
        const b = bytes(cs.join(''));
        try {
          expect(bencode(bdecode(b))).toEqual(b);
        } catch (e) {
          expect(e).toBeInstanceOf(BencodeError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('bencode', () => {
  it('encodes JS conveniences', () => {
    expect(str(bencode('spam'))).toBe('4:spam');
    expect(str(bencode('é'))).toBe('2:\xc3\xa9');
    expect(str(bencode(true))).toBe('i1e');
    expect(str(bencode(-0))).toBe('i0e');
    expect(str(bencode(1n << 64n))).toBe('i18446744073709551616e');
    expect(str(bencode(-(1n << 64n)))).toBe('i-18446744073709551616e');
    expect(str(bencode({ z: 1, a: 'x', m: undefined, n: null, list: [1, 'b'] }))).toBe('d1:a1:x4:listli1e1:be1:zi1ee');
  });

  it('sorts plain-object keys by raw bytes, not UTF-16', () => {
    // U+FF5E (3 UTF-8 bytes starting 0xEF) sorts before U+10000 (starting 0xF0) in bytes;
    // as UTF-16 the surrogate 0xD800 would come first.
    expect(str(bencode({ '\u{10000}': 1, '\uff5e': 2 })).indexOf('\xef')).toBeLessThan(str(bencode({ '\u{10000}': 1, '\uff5e': 2 })).indexOf('\xf0'));
  });

  it.each([[1.5], [NaN], [Infinity], [null], [undefined], [Symbol('x')], [new Date()]])('rejects %s', (v) => {
    expect(() => bencode(v as never)).toThrow(BencodeError);
  });

  it('rejects Map keys that are not latin1 byte strings, and cycles', () => {
    expect(() => bencode(new Map([['\u0100', 1]]))).toThrow(BencodeError);
    const cyc: unknown[] = [];
    cyc.push(cyc);
    expect(() => bencode(cyc as never)).toThrow(BencodeError);
  });

  it('agrees with the bencode npm package on ordinary values', async () => {
    const mod = (await import('bencode' as string)) as { default: { encode(v: unknown): Uint8Array; decode(b: Uint8Array): unknown } };
    const npm = mod.default;
    const ordinary = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.string({ maxLength: 10 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'grapheme-ascii', maxLength: 6 }), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(ordinary, (v) => {
        const ours = bencode(v as never);
        expect(Buffer.from(npm.encode(v)).equals(Buffer.from(ours))).toBe(true);
        expect(Buffer.from(npm.encode(npm.decode(ours))).equals(Buffer.from(ours))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('rawSpan', () => {
  const torrent = bytes('d8:announce3:url4:infod4:name1:x6:lengthi5ee5:extrali1eee');

  it('returns the exact bytes of a nested value', () => {
    expect(str(rawSpan(torrent, ['info'])!)).toBe('d4:name1:x6:lengthi5ee');
    expect(str(rawSpan(torrent, ['info', 'name'])!)).toBe('1:x');
    expect(str(rawSpan(torrent, [])!)).toBe(str(torrent));
  });

  it('returns undefined for missing keys or non-dict steps', () => {
    expect(rawSpan(torrent, ['nope'])).toBeUndefined();
    expect(rawSpan(torrent, ['announce', 'x'])).toBeUndefined();
  });

  it('throws BencodeError on malformed bytes it walks', () => {
    expect(() => rawSpan(bytes('d4:infod1:ai1e'), ['info'])).toThrow(BencodeError);
    expect(() => rawSpan(bytes('di1ei2ee'), ['info'])).toThrow(BencodeError);
  });

  it('property: equals the re-encoding of the decoded sub-value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5 }).map(latin1), bvalue, bvalue, (key, inner, other) => {
        const buf = bencode(new Map<string, BValue>([['a', other], [key === 'a' ? 'b' : key, inner]]));
        expect(rawSpan(buf, [key === 'a' ? 'b' : key])).toEqual(bencode(inner));
      }),
      { numRuns: 300 },
    );
  });
});

describe('typed getters', () => {
  const d = bdict(bdecode(bytes('d3:inti7e3:str2:hi3:bad2:\xff\xfe4:listle4:dictdee')));

  it('return typed values', () => {
    expect(bint(bget(d, 'int'), 'int')).toBe(7);
    expect(bstr(bget(d, 'str'), 'str')).toBe('hi');
    expect(blist(bget(d, 'list'))).toEqual([]);
    expect(bdict(bget(d, 'dict'))).toEqual(new Map());
  });

  it('throw BencodeError naming the field', () => {
    expect(() => bint(bget(d, 'missing'), 'missing')).toThrow(/missing missing/);
    expect(() => bint(bget(d, 'str'), 'str')).toThrow(/str: expected integer, got byte string/);
    expect(() => bstr(bget(d, 'bad'), 'bad')).toThrow(/bad: not valid UTF-8/);
    expect(() => bint(9007199254740993n, 'big')).toThrow(BencodeError);
  });

  it('utf8/text/bkey/keyBytes convert consistently', () => {
    expect(text(utf8('naïve ✓'))).toBe('naïve ✓');
    expect(text(bytes('\xff'))).toBe('\ufffd');
    expect(keyBytes(bkey('é'))).toEqual(utf8('é'));
  });
});
