import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ByteQueue } from '../../../src/http/conn.ts';

describe('ByteQueue', () => {
  it('property: bytes come out in order whatever the push/take interleaving', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 9000 }), fc.nat(10_000))), (ops) => {
        const q = new ByteQueue();
        const expected: number[] = [];
        const got: number[] = [];
        for (const [chunk, n] of ops) {
          q.push(chunk);
          expected.push(...chunk);
          const k = Math.min(n, q.length);
          expect(q.view().length).toBe(q.length);
          got.push(...q.take(k));
        }
        got.push(...q.take(q.length));
        expect(got).toEqual(expected);
        expect(q.length).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
