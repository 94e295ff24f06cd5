/** The fingers message: strict decoding of runs, and answers that always fit one datagram. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { dhtCodec, MAX_DATAGRAM } from '../../../../dht/rpc/codec.ts';
import { LIMITS, type FingerRun } from '../../../../dht/rpc/messages.ts';
import { fitFingers } from '../../../../dht/rpc/handler.ts';
import { ChordCore } from '../../../../dht/core/chord.ts';
import { RING_SIZE } from '../../../../src/naming/id160.ts';

const packr = new Packr({ useRecords: false, moreTypes: false });
const codec = dhtCodec();
const id20 = new Uint8Array(20);
const wn = (host = '127.0.0.1'): unknown[] => [id20, host, 7000];
const res = (f: unknown): unknown => codec.decode(packr.pack([1, 9, { t: 'fingers', f }]));

describe('fingers message', () => {
  it('accepts ordered runs and rejects overlapping, reversed, out-of-range or too many', () => {
    expect(res([[0, 5, wn()], [6, 159, wn()]])).toMatchObject({ kind: 'response', message: { t: 'fingers' } });
    expect(res([])).toMatchObject({ message: { t: 'fingers', fingers: [] } });
    const bad: unknown[] = [
      [[0, 5, wn()], [5, 9, wn()]], // overlap
      [[6, 9, wn()], [0, 5, wn()]], // out of order
      [[5, 4, wn()]], // to < from
      [[0, 160, wn()]], // past the last finger
      [[-1, 3, wn()]],
      [[0.5, 3, wn()]],
      [[0, 3, wn('evil.example')]],
      [[0, 3]],
      Array.from({ length: LIMITS.maxFingerRuns + 1 }, (_, i) => [i, i, wn()]),
      'nope',
      null,
    ];
    for (const f of bad) expect(res(f)).toBeUndefined();
  });

  it('fitFingers: any table, any hosts, the answer encodes under MAX_DATAGRAM and decodes back', () => {
    const host = fc.oneof(fc.ipV4(), fc.constant('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), fc.constant('f'.repeat(LIMITS.maxHostLength)));
    const table = fc.array(fc.option(fc.record({ id: fc.bigInt({ min: 0n, max: RING_SIZE - 1n }), host, port: fc.integer({ min: 1, max: 65535 }) }), { nil: null }), {
      minLength: 160,
      maxLength: 160,
    });
    fc.assert(
      fc.property(table, (entries) => {
        const core = new ChordCore({ id: 0n, host: '127.0.0.1', port: 1 });
        entries.forEach((e, i) => core.setFinger(i, e));
        const runs: FingerRun[] = fitFingers(core.fingerRuns());
        const buf = codec.encodeResponse(3, { t: 'fingers', fingers: runs });
        expect(buf.length).toBeLessThanOrEqual(MAX_DATAGRAM);
        expect(codec.decode(buf)).toEqual({ kind: 'response', tid: 3, message: { t: 'fingers', fingers: runs } });
      }),
      { numRuns: 200 },
    );
  });

  it('fingerRuns collapses equal neighbours and skips empty entries', () => {
    const core = new ChordCore({ id: 0n, host: '127.0.0.1', port: 1 });
    const a = { id: 5n, host: '127.0.0.1', port: 2 };
    const b = { id: 9n, host: '127.0.0.1', port: 3 };
    for (let i = 0; i < 3; i++) core.setFinger(i, a);
    for (let i = 3; i < 10; i++) core.setFinger(i, b);
    core.setFinger(12, a);
    expect(core.fingerRuns()).toEqual([
      { from: 0, to: 2, node: a },
      { from: 3, to: 9, node: b },
      { from: 12, to: 12, node: a },
    ]);
  });
});
