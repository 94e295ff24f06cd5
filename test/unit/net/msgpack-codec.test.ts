import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { msgpackCodec } from '../../../src/net/msgpack-codec.ts';

describe('msgpackCodec', () => {
  const codec = msgpackCodec<unknown, unknown>();
  // msgpackr renames a "__proto__" key on decode (its prototype-pollution guard), so such keys
  // are left out of the round trip and checked on their own below.
  const message = fc.jsonValue().filter((m) => !JSON.stringify(m).includes('"__proto__"'));
  const tid = fc.integer({ min: 0, max: 0xffffffff });

  it('round-trips requests and responses', () => {
    fc.assert(
      fc.property(tid, message, (t, m) => {
        const want = JSON.parse(JSON.stringify(m)) as unknown; // msgpack has no -0
        expect(codec.decode(codec.encodeRequest(t, m))).toEqual({ kind: 'request', tid: t, message: want });
        expect(codec.decode(codec.encodeResponse(t, m))).toEqual({ kind: 'response', tid: t, message: want });
      }),
    );
  });

  it('a "__proto__" key cannot pollute prototypes', () => {
    const evil = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const d = codec.decode(codec.encodeRequest(1, evil));
    expect(d?.kind).toBe('request');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(d?.message)).toBe(Object.prototype);
  });

  it('fuzz: random bytes decode to undefined or a well-formed message, never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const d = codec.decode(b);
        if (d !== undefined) {
          expect(['request', 'response']).toContain(d.kind);
          expect(Number.isInteger(d.tid)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects wrong shapes, bad tids and failed validation', () => {
    const strict = msgpackCodec<{ q: string }, { r: number }>({
      isRequest: (m): m is { q: string } => typeof (m as { q?: unknown } | null)?.q === 'string',
    });
    expect(strict.decode(strict.encodeRequest(1, { q: 'ok' }))?.message).toEqual({ q: 'ok' });
    expect(strict.decode(codec.encodeRequest(1, { q: 5 }))).toBeUndefined();
    expect(codec.decode(codec.encodeRequest(-1, 1))).toBeUndefined();
    expect(codec.decode(codec.encodeRequest(2 ** 32, 1))).toBeUndefined();
    expect(codec.decode(codec.encodeRequest(1.5, 1))).toBeUndefined();
    expect(codec.decode(new Uint8Array(0))).toBeUndefined();
  });
});
