import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RequestBook, pipelineDepth } from '../../../../peer/core/request-book.ts';

describe('RequestBook', () => {
  it('indexes requests per peer and per block', () => {
    const book = new RequestBook();
    book.add('A', { piece: 1, begin: 0, length: 16384 }, 0);
    book.add('B', { piece: 1, begin: 0, length: 16384 }, 5);
    book.add('A', { piece: 1, begin: 16384, length: 16384 }, 10);
    expect(book.askers(1, 0)).toBe(2);
    expect(book.inFlight('A')).toBe(2);
    expect(book.removeBlock(1, 0).map((o) => o.peer).sort()).toEqual(['A', 'B']);
    expect(book.inFlight('B')).toBe(0);
    expect(book.size).toBe(1);
    expect(book.removePeer('A')).toHaveLength(1);
    expect(book.size).toBe(0);
  });

  it('expires requests older than the timeout', () => {
    const book = new RequestBook();
    book.add('A', { piece: 0, begin: 0, length: 1 }, 0);
    book.add('A', { piece: 0, begin: 1, length: 1 }, 5_000);
    expect(book.expire(9_999, 10_000)).toEqual([]);
    expect(book.expire(10_000, 10_000).map((o) => o.begin)).toEqual([0]);
    expect(book.has('A', 0, 1)).toBe(true);
  });
});

describe('pipelineDepth', () => {
  it('covers ~1.5 s of the peer rate in 16 KiB blocks, clamped to 4..250', () => {
    expect(pipelineDepth(0)).toBe(4);
    expect(pipelineDepth(1024 * 1024)).toBe(96); // 1 MiB/s · 1.5 s / 16 KiB
    expect(pipelineDepth(1e12)).toBe(250);
    expect(pipelineDepth(Number.NaN)).toBe(4);
  });

  it('property: monotone in rate and always within bounds', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e10, noNaN: true }), fc.double({ min: 0, max: 1e10, noNaN: true }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(pipelineDepth(lo)).toBeLessThanOrEqual(pipelineDepth(hi));
        expect(pipelineDepth(hi)).toBeGreaterThanOrEqual(4);
        expect(pipelineDepth(hi)).toBeLessThanOrEqual(250);
      }),
    );
  });
});
