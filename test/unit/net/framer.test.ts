import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FrameTooLargeError } from '../../../src/errors.ts';
import { LengthPrefixFramer, encodeFrame } from '../../../src/net/framer.ts';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Split bytes at the given cut points (sorted, deduplicated, in range). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(prev, p));
    prev = p;
  }
  return out;
}

const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });

describe('LengthPrefixFramer', () => {
  it('decodes a simple stream, keep-alives as empty payloads', () => {
    const f = new LengthPrefixFramer({ maxFrame: 100 });
    const stream = concat([encodeFrame(Uint8Array.of(1, 2, 3)), encodeFrame(new Uint8Array(0)), encodeFrame(Uint8Array.of(9))]);
    const frames = f.push(stream);
    expect(frames.map((x) => [...x])).toEqual([[1, 2, 3], [], [9]]);
    expect(f.buffered).toBe(0);
  });

  it('holds partial frames and reports buffered bytes', () => {
    const f = new LengthPrefixFramer({ maxFrame: 100 });
    const fr = encodeFrame(Uint8Array.of(5, 6, 7, 8));
    expect(f.push(fr.subarray(0, 2))).toEqual([]);
    expect(f.buffered).toBe(2);
    expect(f.push(fr.subarray(2, 6))).toEqual([]);
    expect(f.buffered).toBe(6);
    expect(f.push(fr.subarray(6)).map((x) => [...x])).toEqual([[5, 6, 7, 8]]);
    expect(f.buffered).toBe(0);
  });

  it('any chunking of the input yields the same frames', () => {
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(), { maxLength: 40 }), (ps, cuts) => {
        const stream = concat(ps.map(encodeFrame));
        const f = new LengthPrefixFramer({ maxFrame: 300 });
        const got: Uint8Array[] = [];
        for (const c of chunk(stream, cuts)) got.push(...f.push(c));
        expect(got.map((x) => [...x])).toEqual(ps.map((x) => [...x]));
        expect(f.buffered).toBe(0);
      }),
    );
  });

  it('byte-at-a-time feeding works and is not quadratic', () => {
    const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
    const stream = encodeFrame(big);
    const f = new LengthPrefixFramer({ maxFrame: 1 << 20 });
    const t0 = performance.now();
    let got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) got = got.concat(f.push(stream.subarray(i, i + 1)));
    const ms = performance.now() - t0;
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0] as Uint8Array).equals(Buffer.from(big))).toBe(true);
    expect(ms).toBeLessThan(3000); // quadratic copying would take minutes
  });

  it('throws FrameTooLargeError as soon as an oversized prefix is complete', () => {
    const f = new LengthPrefixFramer({ maxFrame: 10 });
    expect(f.push(encodeFrame(new Uint8Array(10)))).toHaveLength(1);
    expect(f.push(Uint8Array.of(0, 0, 0))).toEqual([]);
    try {
      f.push(Uint8Array.of(11));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FrameTooLargeError);
      expect((e as FrameTooLargeError).code).toBe('FRAME_TOO_LARGE');
      expect((e as FrameTooLargeError).length).toBe(11);
    }
    // The stream is unrecoverable: further input keeps failing.
    expect(() => f.push(new Uint8Array(1))).toThrow(FrameTooLargeError);
  });

  it('rejects prefixes up to 2^32-1 without overflow', () => {
    const f = new LengthPrefixFramer({ maxFrame: 0x7fffffff });
    expect(() => f.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toThrow(FrameTooLargeError);
  });

  it('fuzz: random bytes never throw anything but FrameTooLargeError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 30 }), fc.integer({ min: 0, max: 70000 }), (cs, max) => {
        const f = new LengthPrefixFramer({ maxFrame: max });
        let total = 0;
        try {
          for (const c of cs) {
            for (const fr of f.push(c)) {
              expect(fr.length).toBeLessThanOrEqual(max);
              total += fr.length;
            }
          }
        } catch (e) {
          expect(e).toBeInstanceOf(FrameTooLargeError);
        }
        expect(total).toBeLessThanOrEqual(cs.reduce((n, c) => n + c.length, 0));
      }),
    );
  });

  it('encodeFrame writes a big-endian prefix', () => {
    expect([...encodeFrame(new Uint8Array(0x010203))].slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it('rejects bad options', () => {
    expect(() => new LengthPrefixFramer({ maxFrame: -1 })).toThrow(RangeError);
  });
});
