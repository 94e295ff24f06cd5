import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RecordTable } from '../../../dht/core/records.ts';
import { MAX_ID } from '../../../src/naming/id160.ts';

const v = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('RecordTable', () => {
  it('keeps several values per key, deduplicated, refreshing expiry', () => {
    const t = new RecordTable();
    t.put(1n, v(1), 100);
    t.put(1n, v(2), 100);
    t.put(1n, v(1), 300);
    expect(t.get(1n, 50)).toEqual([v(1), v(2)]);
    expect(t.get(1n, 200)).toEqual([v(1)]);
    expect(t.expire(200).map((e) => e.value)).toEqual([v(2)]);
    expect(t.size).toBe(1);
  });

  it('refuses a new value beyond the per-key cap', () => {
    const t = new RecordTable(2);
    expect(t.put(1n, v(1), 10)).toBe(true);
    expect(t.put(1n, v(2), 10)).toBe(true);
    expect(t.put(1n, v(3), 10)).toBe(false);
    expect(t.put(1n, v(1), 20)).toBe(true);
  });

  it('selects keys in a wrapping ring interval (from, to]', () => {
    const t = new RecordTable();
    for (const k of [0n, 5n, 10n, MAX_ID]) t.put(k, v(Number(k % 256n)), 10);
    expect(new Set(t.inRange(MAX_ID - 1n, 5n, 0).map((e) => e.key))).toEqual(new Set([0n, 5n, MAX_ID]));
    expect(t.inRange(5n, 10n, 0).map((e) => e.key)).toEqual([10n]);
  });

  it('property: nothing is returned after it expires', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 20n }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 100 }))), fc.integer({ min: 0, max: 100 }), (puts, now) => {
        const t = new RecordTable();
        for (const [k, b, exp] of puts) t.put(k, v(b), exp);
        for (const e of t.all(now)) expect(e.expiresAt).toBeGreaterThan(now);
        t.expire(now);
        expect(t.all(0).every((e) => e.expiresAt > now)).toBe(true);
      }),
    );
  });
});
