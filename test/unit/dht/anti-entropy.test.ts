/** Anti-entropy core: fingerprints, digests, the replica's missing-key answer, jitter. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunk, digest, fingerprint, missingKeys, nextRoundDelay } from '../../../dht/core/anti-entropy.ts';
import { RecordTable } from '../../../dht/core/records.ts';
import { seededRandom } from '../../../src/random.ts';

const v = (...b: number[]): Uint8Array => new Uint8Array(b);
const values = fc.uniqueArray(fc.uint8Array({ maxLength: 12 }), { maxLength: 6, selector: (x) => x.join(',') });

describe('anti-entropy', () => {
  it('the fingerprint ignores order and tells apart prefixes, extra and missing values', () => {
    expect(fingerprint([v(1), v(2)])).toBe(fingerprint([v(2), v(1)]));
    expect(fingerprint([v(1)])).not.toBe(fingerprint([v(1, 0)]));
    expect(fingerprint([v(1)])).not.toBe(fingerprint([v(1), v(2)]));
    expect(fingerprint([])).not.toBe(fingerprint([v()]));
  });

  it('property: a replica holding exactly the owner’s values misses nothing; one lacking a value misses that key', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 50n }), values), { maxLength: 20 }), fc.nat(), (recs, drop) => {
        const owner = new RecordTable();
        const replica = new RecordTable();
        for (const [k, vs] of recs) for (const x of vs) (owner.put(k, x, 100), replica.put(k, x, 100));
        const d = digest(owner.all(0));
        expect(missingKeys(d, (k) => replica.get(k, 0))).toEqual([]);
        const all = owner.all(0);
        if (all.length === 0) return;
        const gone = all[drop % all.length]!;
        const thin = new RecordTable();
        for (const e of all) if (e !== gone) thin.put(e.key, e.value, 100);
        expect(missingKeys(d, (k) => thin.get(k, 0))).toEqual([gone.key]);
      }),
    );
  });

  it('expired values are not in the digest (nothing expired is pushed back)', () => {
    const t = new RecordTable();
    t.put(1n, v(1), 50);
    t.put(2n, v(2), 500);
    expect(digest(t.all(100)).map((e) => e.key)).toEqual([2n]);
  });

  it('chunks cover the digest in order, none larger than the size', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (xs, size) => {
        const cs = chunk(xs, size);
        expect(cs.flat()).toEqual(xs);
        for (const c of cs) expect(c.length).toBeGreaterThan(0), expect(c.length).toBeLessThanOrEqual(size);
      }),
    );
  });

  it('round delays stay within ±25% of the interval and are not all equal', () => {
    const r = seededRandom(1);
    const ds = Array.from({ length: 200 }, () => nextRoundDelay(1000, r));
    for (const d of ds) expect(d).toBeGreaterThanOrEqual(750), expect(d).toBeLessThanOrEqual(1250);
    expect(new Set(ds).size).toBeGreaterThan(50);
  });
});
