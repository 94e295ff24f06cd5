import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Bitfield } from '../../../../peer/core/bitfield.ts';
import { ProtocolError } from '../../../../src/errors.ts';

describe('Bitfield', () => {
  it('uses the wire layout: piece 0 is the high bit of byte 0', () => {
    const bf = new Bitfield(10);
    bf.set(0);
    bf.set(9);
    expect([...bf.toBytes()]).toEqual([0x80, 0x40]);
    expect(bf.count).toBe(2);
    expect([...bf]).toEqual([0, 9]);
  });

  it('set/clear report change and keep the count', () => {
    const bf = new Bitfield(3);
    expect(bf.set(1)).toBe(true);
    expect(bf.set(1)).toBe(false);
    expect(bf.count).toBe(1);
    expect(bf.clear(1)).toBe(true);
    expect(bf.clear(1)).toBe(false);
    expect(bf.isEmpty).toBe(true);
  });

  it('isComplete only when every piece is set', () => {
    const bf = Bitfield.fromString('** *');
    expect(bf.isComplete).toBe(false);
    bf.set(2);
    expect(bf.isComplete).toBe(true);
    expect(Bitfield.full(9).isComplete).toBe(true);
    expect(new Bitfield(0).isComplete).toBe(true);
  });

  it('refuses spare bits and wrong lengths with a ProtocolError', () => {
    expect(() => Bitfield.fromBytes(Uint8Array.of(0xff, 0x80), 9)).not.toThrow();
    expect(() => Bitfield.fromBytes(Uint8Array.of(0xff, 0xc0), 9)).toThrow(ProtocolError);
    expect(() => Bitfield.fromBytes(Uint8Array.of(0xff), 9)).toThrow(ProtocolError);
    expect(() => Bitfield.fromBytes(Uint8Array.of(0xff, 0x80, 0), 9)).toThrow(ProtocolError);
  });

  it('out of range: has() is false, set() throws', () => {
    const bf = new Bitfield(8);
    expect(bf.has(8)).toBe(false);
    expect(bf.has(-1)).toBe(false);
    expect(() => bf.set(8)).toThrow(RangeError);
  });

  it('property: any valid byte string round-trips and count matches the iteration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.infiniteStream(fc.integer({ min: 0, max: 255 })), (size, stream) => {
        const n = Math.ceil(size / 8);
        const bytes = Uint8Array.from(stream.take(n));
        const spare = n * 8 - size;
        if (n > 0 && spare > 0) bytes[n - 1] = (bytes[n - 1] as number) & ~((1 << spare) - 1) & 0xff;
        const bf = Bitfield.fromBytes(bytes, size);
        expect(bf.toBytes()).toEqual(bytes);
        const set = [...bf];
        expect(set.length).toBe(bf.count);
        expect(set.length + [...bf.missing()].length).toBe(size);
        for (const i of set) expect(bf.has(i)).toBe(true);
        expect(Bitfield.fromString(bf.toString()).toBytes()).toEqual(bytes);
      }),
    );
  });

  it('fuzz: arbitrary bytes either parse or throw ProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 320 }), (bytes, size) => {
        try {
          const bf = Bitfield.fromBytes(bytes, size);
          expect(bf.count).toBeLessThanOrEqual(size);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});
