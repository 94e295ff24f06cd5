import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ID_BITS,
  MAX_ID,
  RING_SIZE,
  addId,
  addPow2,
  clockwiseDistance,
  compareId,
  idFromBytes,
  idFromHex,
  idToBytes,
  idToHex,
  inInterval,
  randomId,
  sha1,
  sha1Id,
  shortId,
  type IntervalEnds,
} from '../../../src/naming/id160.ts';
import { seededRandom } from '../../../src/random.ts';

const anyId = fc.bigInt({ min: 0n, max: MAX_ID });
// Ids near the edges of the ring and near each other are where off-by-one bugs live.
const edgeId = fc.oneof(
  anyId,
  fc.bigInt({ min: 0n, max: 8n }),
  fc.bigInt({ min: MAX_ID - 8n, max: MAX_ID }),
);
const ENDS: IntervalEnds[] = ['()', '(]', '[)', '[]'];

describe('id160 bytes and hex', () => {
  it('converts known values', () => {
    expect(idToHex(0n)).toBe('0'.repeat(40));
    expect(idToHex(MAX_ID)).toBe('f'.repeat(40));
    expect(idFromHex('00000000000000000000000000000000000000Ff')).toBe(255n);
    expect(idToBytes(1n)[19]).toBe(1);
    expect(idToBytes(1n << 159n)[0]).toBe(0x80);
    expect(idFromBytes(new Uint8Array(20).fill(0xff))).toBe(MAX_ID);
    expect(shortId(idFromHex('0123456789abcdef0123456789abcdef01234567'))).toBe('01234567');
    expect(RING_SIZE).toBe(2n ** 160n);
    expect(ID_BITS).toBe(160);
  });

  it('rejects bad lengths, bad hex and out-of-range ids', () => {
    expect(() => idFromBytes(new Uint8Array(19))).toThrow(RangeError);
    expect(() => idFromBytes(new Uint8Array(21))).toThrow(RangeError);
    expect(() => idFromHex('a'.repeat(39))).toThrow(RangeError);
    expect(() => idFromHex('a'.repeat(41))).toThrow(RangeError);
    expect(() => idFromHex('g'.repeat(40))).toThrow(RangeError);
    expect(() => idFromHex(`0x${'a'.repeat(38)}`)).toThrow(RangeError);
    expect(() => idToBytes(-1n)).toThrow(RangeError);
    expect(() => idToHex(RING_SIZE)).toThrow(RangeError);
  });

  it('round-trips bytes and hex', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        expect(idFromBytes(idToBytes(id))).toBe(id);
        expect(idFromHex(idToHex(id))).toBe(id);
        expect(idFromHex(idToHex(id).toUpperCase())).toBe(id);
        expect(idToHex(id)).toMatch(/^[0-9a-f]{40}$/);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (b) => {
        expect(idToBytes(idFromBytes(b))).toEqual(b);
      }),
    );
  });
});

describe('sha1', () => {
  it('matches known vectors', () => {
    expect(idToHex(sha1Id(''))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(idToHex(sha1Id('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(idToHex(sha1Id('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
  });

  it('agrees with node:crypto on arbitrary data and strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(Buffer.from(sha1(b)).toString('hex')).toBe(createHash('sha1').update(b).digest('hex'));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (s) => {
        expect(idToHex(sha1Id(s))).toBe(createHash('sha1').update(s, 'utf8').digest('hex'));
      }),
    );
  });
});

describe('ring arithmetic', () => {
  it('wraps addition both ways', () => {
    expect(addId(MAX_ID, 1n)).toBe(0n);
    expect(addId(0n, -1n)).toBe(MAX_ID);
    expect(addId(5n, RING_SIZE * 3n + 2n)).toBe(7n);
    expect(addId(5n, -RING_SIZE * 2n - 6n)).toBe(MAX_ID);
    expect(addPow2(0n, 0)).toBe(1n);
    expect(addPow2(0n, 159)).toBe(1n << 159n);
    expect(addPow2(1n << 159n, 159)).toBe(0n);
    expect(addPow2(MAX_ID, 0)).toBe(0n);
  });

  it('rejects bad finger indexes', () => {
    for (const i of [-1, 160, 1.5, Number.NaN]) expect(() => addPow2(0n, i)).toThrow(RangeError);
  });

  it('addPow2 agrees with addId, results stay in the ring, distance inverts addition', () => {
    fc.assert(
      fc.property(edgeId, fc.integer({ min: 0, max: 159 }), (id, i) => {
        expect(addPow2(id, i)).toBe(addId(id, 2n ** BigInt(i)));
      }),
    );
    fc.assert(
      fc.property(edgeId, fc.bigInt({ min: -(RING_SIZE * 4n), max: RING_SIZE * 4n }), (a, b) => {
        const s = addId(a, b);
        expect(s >= 0n && s < RING_SIZE).toBe(true);
        expect(clockwiseDistance(a, s)).toBe(((b % RING_SIZE) + RING_SIZE) % RING_SIZE);
      }),
    );
    fc.assert(
      fc.property(edgeId, edgeId, (a, b) => {
        const d = clockwiseDistance(a, b);
        expect(d >= 0n && d < RING_SIZE).toBe(true);
        expect(addId(a, d)).toBe(b);
        if (a !== b) expect(d + clockwiseDistance(b, a)).toBe(RING_SIZE);
        expect(compareId(a, b)).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });

  it('compareId and clockwiseDistance on fixed cases', () => {
    expect(compareId(1n, 2n)).toBe(-1);
    expect(compareId(2n, 2n)).toBe(0);
    expect(compareId(MAX_ID, 0n)).toBe(1);
    expect(clockwiseDistance(MAX_ID, 0n)).toBe(1n);
    expect(clockwiseDistance(0n, MAX_ID)).toBe(MAX_ID);
    expect(clockwiseDistance(7n, 7n)).toBe(0n);
  });
});

describe('inInterval', () => {
  // Table: [x, a, b, expected for '()', '(]', '[)', '[]'].
  const M = MAX_ID;
  const cases: Array<[bigint, bigint, bigint, [boolean, boolean, boolean, boolean]]> = [
    // plain interval 10..20
    [15n, 10n, 20n, [true, true, true, true]],
    [10n, 10n, 20n, [false, false, true, true]],
    [20n, 10n, 20n, [false, true, false, true]],
    [9n, 10n, 20n, [false, false, false, false]],
    [21n, 10n, 20n, [false, false, false, false]],
    [0n, 10n, 20n, [false, false, false, false]],
    [M, 10n, 20n, [false, false, false, false]],
    // the complement 20..10 wraps through 0
    [15n, 20n, 10n, [false, false, false, false]],
    [0n, 20n, 10n, [true, true, true, true]],
    [M, 20n, 10n, [true, true, true, true]],
    [5n, 20n, 10n, [true, true, true, true]],
    [25n, 20n, 10n, [true, true, true, true]],
    [20n, 20n, 10n, [false, false, true, true]],
    [10n, 20n, 10n, [false, true, false, true]],
    // wrap exactly across the seam M -> 0
    [0n, M, 0n, [false, true, false, true]],
    [M, M, 0n, [false, false, true, true]],
    [1n, M, 0n, [false, false, false, false]],
    [0n, M, 1n, [true, true, true, true]],
    [M - 1n, M - 2n, M, [true, true, true, true]],
    [M, M - 2n, M, [false, true, false, true]],
    [0n, M - 2n, M, [false, false, false, false]],
    // adjacent ends: (a, a+1) is empty, [a, a+1] holds both
    [5n, 5n, 6n, [false, false, true, true]],
    [6n, 5n, 6n, [false, true, false, true]],
    [7n, 5n, 6n, [false, false, false, false]],
    // the widest non-degenerate interval: a+1 .. a
    [5n, 6n, 5n, [false, true, false, true]],
    [6n, 6n, 5n, [false, false, true, true]],
    [100n, 6n, 5n, [true, true, true, true]],
    // equal endpoints: '()' is everything but a, the rest are the whole ring
    [7n, 7n, 7n, [false, true, true, true]],
    [8n, 7n, 7n, [true, true, true, true]],
    [6n, 7n, 7n, [true, true, true, true]],
    [0n, 0n, 0n, [false, true, true, true]],
    [M, 0n, 0n, [true, true, true, true]],
    [M, M, M, [false, true, true, true]],
    [0n, M, M, [true, true, true, true]],
  ];
  it.each(cases)('x=%s in (%s, %s)', (x, a, b, expected) => {
    expect(ENDS.map((e) => inInterval(x, a, b, e))).toEqual(expected);
  });

  it('matches the distance definition when a !== b', () => {
    fc.assert(
      fc.property(edgeId, edgeId, edgeId, (x, a, b) => {
        fc.pre(a !== b);
        const dx = clockwiseDistance(a, x);
        const db = clockwiseDistance(a, b);
        expect(inInterval(x, a, b, '()')).toBe(0n < dx && dx < db);
        expect(inInterval(x, a, b, '(]')).toBe(0n < dx && dx <= db);
        expect(inInterval(x, a, b, '[)')).toBe(dx < db);
        expect(inInterval(x, a, b, '[]')).toBe(dx <= db);
      }),
    );
  });

  it('splits the ring: x is in exactly one of (a, b] and (b, a] when a !== b', () => {
    fc.assert(
      fc.property(edgeId, edgeId, edgeId, (x, a, b) => {
        fc.pre(a !== b);
        expect(inInterval(x, a, b, '(]') !== inInterval(x, b, a, '(]')).toBe(true);
      }),
    );
  });

  it('is invariant under rotating everything', () => {
    fc.assert(
      fc.property(edgeId, edgeId, edgeId, anyId, fc.constantFrom(...ENDS), (x, a, b, r, e) => {
        expect(inInterval(addId(x, r), addId(a, r), addId(b, r), e)).toBe(inInterval(x, a, b, e));
      }),
    );
  });
});

describe('randomId', () => {
  it('gives in-range, distinct ids from Web Crypto', () => {
    const ids = new Set(Array.from({ length: 50 }, () => randomId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id >= 0n && id < RING_SIZE).toBe(true);
  });

  it('is reproducible with a seeded source and spreads over the top bits', () => {
    const a = Array.from({ length: 20 }, (_, i) => randomId(seededRandom(i)));
    const b = Array.from({ length: 20 }, (_, i) => randomId(seededRandom(i)));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(20);
    const r = seededRandom(42);
    const top = new Set(Array.from({ length: 64 }, () => randomId(r) >> 156n));
    expect(top.size).toBeGreaterThan(8);
  });
});
