import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Availability } from '../../../../peer/core/availability.ts';
import { Bitfield } from '../../../../peer/core/bitfield.ts';
import { ProtocolError } from '../../../../src/errors.ts';

const counts = (a: Availability) => [...a.all()].join('');

describe('Availability', () => {
  it('counts bitfields and haves, and forgets a peer on disconnect', () => {
    const a = new Availability(5);
    a.setBitfield('A', Bitfield.fromString('** * '));
    a.setBitfield('B', Bitfield.fromString(' ** *'));
    expect(counts(a)).toBe('12111');
    expect(a.have('B', 0)).toBe(true);
    expect(a.have('B', 0)).toBe(false); // a repeated HAVE counts once
    expect(counts(a)).toBe('22111');
    a.removePeer('A');
    expect(counts(a)).toBe('11101');
    a.removePeer('A');
    expect(counts(a)).toBe('11101');
  });

  it('a second BITFIELD replaces the first rather than adding to it', () => {
    const a = new Availability(3);
    a.setBitfield('A', Bitfield.fromString('***'));
    a.setBitfield('A', Bitfield.fromString('*  '));
    expect(counts(a)).toBe('100');
  });

  it('refuses out-of-range haves and wrong-size bitfields without touching counts', () => {
    const a = new Availability(3);
    a.setBitfield('A', Bitfield.fromString('*  '));
    expect(() => a.have('A', 3)).toThrow(ProtocolError);
    expect(() => a.have('A', -1)).toThrow(ProtocolError);
    expect(() => a.setBitfield('A', Bitfield.fromString('*   '))).toThrow(ProtocolError);
    expect(counts(a)).toBe('100');
  });

  it('property: counts equal the sum over connected peers after any event sequence', () => {
    const ev = fc.oneof(
      fc.record({ t: fc.constant('bf' as const), p: fc.integer({ min: 0, max: 3 }), bits: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }) }),
      fc.record({ t: fc.constant('have' as const), p: fc.integer({ min: 0, max: 3 }), i: fc.integer({ min: -2, max: 8 }) }),
      fc.record({ t: fc.constant('gone' as const), p: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 40 }), (events) => {
        const a = new Availability(6);
        const model = new Map<number, Set<number>>();
        for (const e of events) {
          if (e.t === 'bf') {
            a.setBitfield(String(e.p), Bitfield.fromString(e.bits.map((b) => (b ? '*' : ' ')).join('')));
            model.set(e.p, new Set(e.bits.flatMap((b, i) => (b ? [i] : []))));
          } else if (e.t === 'have') {
            try {
              a.have(String(e.p), e.i);
              if (!model.has(e.p)) model.set(e.p, new Set());
              model.get(e.p)?.add(e.i);
            } catch (err) {
              expect(err).toBeInstanceOf(ProtocolError);
            }
          } else {
            a.removePeer(String(e.p));
            model.delete(e.p);
          }
        }
        for (let i = 0; i < 6; i++) expect(a.count(i)).toBe([...model.values()].filter((s) => s.has(i)).length);
      }),
    );
  });
});
