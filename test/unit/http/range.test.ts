import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decideRange, contentRange, parseHttpDate, formatHttpDate, notModifiedSince } from '../../../src/http/range.ts';

describe('decideRange (size 100)', () => {
  it.each([
    [undefined, { kind: 'full' }],
    ['bytes=0-9', { kind: 'partial', start: 0, end: 9 }],
    ['bytes=90-', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=90-1000', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-10', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-1000', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-4', { kind: 'full' }],
    ['bytes=0-1,5-6', { kind: 'full' }],
    ['items=0-1', { kind: 'full' }],
    ['bytes=-', { kind: 'full' }],
    ['garbage', { kind: 'full' }],
  ])('%j → %j', (h, want) => {
    expect(decideRange(h, 100)).toEqual(want);
  });

  it('Content-Range strings', () => {
    expect(contentRange({ kind: 'partial', start: 0, end: 9 }, 100)).toBe('bytes 0-9/100');
    expect(contentRange({ kind: 'unsatisfiable' }, 100)).toBe('bytes */100');
    expect(contentRange({ kind: 'full' }, 100)).toBeUndefined();
  });

  it('property: a partial range is always inside the file and non-empty', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.nat(10_000), fc.nat(20_000), fc.nat(20_000), (junk, size, a, b) => {
        for (const h of [junk, `bytes=${a}-${b}`, `bytes=${a}-`, `bytes=-${b}`]) {
          const d = decideRange(h, size);
          if (d.kind === 'partial') {
            expect(d.start).toBeGreaterThanOrEqual(0);
            expect(d.end).toBeLessThan(size);
            expect(d.start).toBeLessThanOrEqual(d.end);
          }
        }
      }),
    );
  });
});

describe('HTTP dates and If-Modified-Since', () => {
  const t = Date.UTC(1994, 10, 6, 8, 49, 37);
  it('parses the three forms RFC 9110 names', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(t);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(t);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(t);
    expect(parseHttpDate('yesterday')).toBeUndefined();
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 PST')).toBeUndefined();
  });
  it('round-trips formatHttpDate at one-second resolution', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
        expect(parseHttpDate(formatHttpDate(ms))).toBe(Math.floor(ms / 1000) * 1000);
      }),
    );
  });
  it('304 only when not modified since, ignoring sub-second mtime and bad or future dates', () => {
    const now = t + 10_000;
    expect(notModifiedSince(formatHttpDate(t), t + 500, now)).toBe(true);
    expect(notModifiedSince(formatHttpDate(t), t + 1000, now)).toBe(false);
    expect(notModifiedSince(formatHttpDate(t + 5000), t, now)).toBe(true);
    expect(notModifiedSince('nonsense', t, now)).toBe(false);
    expect(notModifiedSince(formatHttpDate(now + 60_000), t, now)).toBe(false);
    expect(notModifiedSince(undefined, t, now)).toBe(false);
  });
});
