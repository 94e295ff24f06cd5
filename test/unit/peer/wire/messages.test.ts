import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { encodeMessage, encodeParts, encodePieceHeader, type Message } from '../../../../peer/wire/messages.ts';
import { MessageDecoder } from '../../../../peer/wire/decoder.ts';
import { WireError } from '../../../../peer/wire/wire-error.ts';
import { FrameTooLargeError, isRingswarmError } from '../../../../src/errors.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const PIECES = 1000;
const index = fc.integer({ min: 0, max: PIECES - 1 });
const blockLen = fc.integer({ min: 1, max: 16384 });

/** A bitfield for PIECES pieces with the spare bits clear. */
const bitfield = fc.uint8Array({ minLength: 125, maxLength: 125 });

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.constant({ type: 'keep-alive' } as const),
  fc.constant({ type: 'choke' } as const),
  fc.constant({ type: 'unchoke' } as const),
  fc.constant({ type: 'interested' } as const),
  fc.constant({ type: 'not-interested' } as const),
  index.map((i) => ({ type: 'have', index: i }) as const),
  bitfield.map((bits) => ({ type: 'bitfield', bits }) as const),
  fc.record({ index, begin: u32, length: blockLen }).map((r) => ({ type: 'request', ...r }) as const),
  fc.record({ index, begin: u32, length: blockLen }).map((r) => ({ type: 'cancel', ...r }) as const),
  fc.record({ index, begin: u32, block: fc.uint8Array({ maxLength: 16384 }) }).map((r) => ({ type: 'piece', ...r }) as const),
  fc.integer({ min: 0, max: 65535 }).map((port) => ({ type: 'port', port }) as const),
  fc.record({ ext: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 300 }) }).map((r) => ({ type: 'extended', ...r }) as const),
);

function decodeAll(chunks: Uint8Array[], pieceCount: number | undefined = PIECES): Message[] {
  const d = new MessageDecoder({ pieceCount });
  return chunks.flatMap((c) => d.push(c));
}

function cut(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

/** Plain objects with arrays of bytes, so toEqual ignores views vs copies. */
const plain = (ms: Message[]): unknown[] =>
  ms.map((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v])));

describe('message codec', () => {
  it('round-trips every message type', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(plain(decodeAll([encodeMessage(m)]))).toEqual(plain([m]));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a stream identically however it is chunked', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), fc.array(fc.nat(300_000), { maxLength: 40 }), (ms, cuts) => {
        const stream = Buffer.concat(ms.map(encodeMessage));
        expect(plain(decodeAll(cut(stream, cuts)))).toEqual(plain(ms));
      }),
      { numRuns: 150 },
    );
  });

  it('decodes byte by byte', () => {
    const ms: Message[] = [
      { type: 'piece', index: 3, begin: 16384, block: new Uint8Array(100).fill(9) },
      { type: 'keep-alive' },
      { type: 'have', index: 999 },
    ];
    const stream = Buffer.concat(ms.map(encodeMessage));
    const chunks = [...stream].map((b) => new Uint8Array([b]));
    expect(plain(decodeAll(chunks))).toEqual(plain(ms));
  });

  it('writes a piece as header + the block itself (no copy)', () => {
    const block = new Uint8Array(16384).fill(1);
    const parts = encodeParts({ type: 'piece', index: 1, begin: 2, block });
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe(block);
    expect([...parts[0]!]).toEqual([...encodePieceHeader(1, 2, 16384)]);
    expect([...parts[0]!.subarray(0, 5)]).toEqual([0, 0, 0x40, 9, 7]);
  });

  it('hands a piece block out as a view of the received chunk', () => {
    const chunk = encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(64).fill(5) });
    const [m] = new MessageDecoder().push(chunk);
    expect(m?.type).toBe('piece');
    if (m?.type === 'piece') expect(m.block.buffer).toBe(chunk.buffer);
  });

  it('skips unknown ids (forward compatible) and keeps decoding', () => {
    const unknown = new Uint8Array([0, 0, 0, 4, 99, 1, 2, 3]);
    const have = encodeMessage({ type: 'have', index: 5 });
    const stream = Buffer.concat([unknown, have]);
    for (let i = 0; i <= stream.length; i++) {
      const ms = decodeAll([stream.subarray(0, i), stream.subarray(i)]);
      expect(ms).toEqual([{ type: 'unknown', id: 99, length: 4 }, { type: 'have', index: 5 }]);
    }
  });
});

describe('hostile input', () => {
  const frame = (len: number, id: number, payload: number[] = []): Uint8Array =>
    new Uint8Array([len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, id, ...payload]);

  it('refuses an oversized length prefix before buffering the body', () => {
    const d = new MessageDecoder({ pieceCount: 10 });
    expect(() => d.push(new Uint8Array([0x7f, 0xff, 0xff, 0xff]))).toThrow(FrameTooLargeError);
    // a piece frame just over one block is refused at its id byte
    expect(() => new MessageDecoder().push(frame(9 + 16385, 7))).toThrow(FrameTooLargeError);
    // the decoder stays failed
    expect(() => d.push(encodeMessage({ type: 'choke' }))).toThrow(FrameTooLargeError);
  });

  it('refuses requests over 16 KiB and of zero bytes', () => {
    const big = encodeMessage({ type: 'request', index: 0, begin: 0, length: 16385 });
    expect(() => new MessageDecoder().push(big)).toThrow(expect.objectContaining({ reason: 'bad-request' }));
    const zero = encodeMessage({ type: 'request', index: 0, begin: 0, length: 0 });
    expect(() => new MessageDecoder().push(zero)).toThrow(WireError);
    const ok = encodeMessage({ type: 'request', index: 0, begin: 0, length: 16384 });
    expect(new MessageDecoder().push(ok)).toHaveLength(1);
  });

  it('refuses a bitfield with spare bits set or the wrong size', () => {
    const spare = encodeMessage({ type: 'bitfield', bits: new Uint8Array([0xff, 0x81]) });
    expect(() => new MessageDecoder({ pieceCount: 9 }).push(spare)).toThrow(expect.objectContaining({ reason: 'bitfield' }));
    const good = encodeMessage({ type: 'bitfield', bits: new Uint8Array([0xff, 0x80]) });
    expect(new MessageDecoder({ pieceCount: 9 }).push(good)).toHaveLength(1);
    const short = encodeMessage({ type: 'bitfield', bits: new Uint8Array([0xff]) });
    expect(() => new MessageDecoder({ pieceCount: 9 }).push(short)).toThrow(WireError);
    const long = encodeMessage({ type: 'bitfield', bits: new Uint8Array(3) });
    expect(() => new MessageDecoder({ pieceCount: 9 }).push(long)).toThrow(FrameTooLargeError);
    // checked once the piece count is known (magnet links learn it late)
    const d = new MessageDecoder();
    expect(d.push(long)).toHaveLength(1);
    d.setPieceCount(9);
    expect(() => d.push(spare)).toThrow(WireError);
  });

  it('refuses have/request for pieces beyond the torrent', () => {
    expect(() => new MessageDecoder({ pieceCount: 4 }).push(encodeMessage({ type: 'have', index: 4 }))).toThrow(
      expect.objectContaining({ reason: 'bad-index' }),
    );
  });

  it('feed delivers the messages before a violation in the same chunk, then throws', () => {
    const got: Message[] = [];
    const chunk = Buffer.concat([encodeMessage({ type: 'have', index: 1 }), encodeMessage({ type: 'have', index: 9 })]);
    expect(() => new MessageDecoder({ pieceCount: 4 }).feed(chunk, (m) => got.push(m))).toThrow(WireError);
    expect(got).toEqual([{ type: 'have', index: 1 }]);
  });

  it('refuses fixed-size messages of the wrong length', () => {
    expect(() => new MessageDecoder().push(frame(2, 0, [0]))).toThrow(FrameTooLargeError);
    expect(() => new MessageDecoder().push(frame(4, 4, [0, 0, 0]))).toThrow(expect.objectContaining({ reason: 'bad-length' }));
    expect(() => new MessageDecoder().push(frame(1, 20))).toThrow(WireError);
  });

  it('fuzz: garbage yields messages or typed errors, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(400), { maxLength: 8 }), fc.option(fc.integer({ min: 0, max: 64 })), (junk, cuts, pieceCount) => {
        const d = new MessageDecoder({ pieceCount: pieceCount ?? undefined });
        try {
          for (const c of cut(junk, cuts)) d.push(c);
        } catch (e) {
          expect(isRingswarmError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('fuzz: framed garbage with small lengths (reaches the body parsers)', () => {
    const framed = fc.tuple(fc.integer({ min: 0, max: 24 }), fc.uint8Array({ maxLength: 24 })).map(([id, p]) => {
      const b = new Uint8Array(5 + p.length);
      new DataView(b.buffer).setUint32(0, 1 + p.length);
      b[4] = id;
      b.set(p, 5);
      return b;
    });
    fc.assert(
      fc.property(fc.array(framed, { maxLength: 10 }), (frames) => {
        const d = new MessageDecoder({ pieceCount: 50 });
        try {
          for (const f of frames) d.push(f);
        } catch (e) {
          expect(isRingswarmError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is linear in the chunk count: 1 MiB of 1-byte chunks is fast', () => {
    const block = new Uint8Array(16384);
    const one = encodeMessage({ type: 'piece', index: 0, begin: 0, block });
    const d = new MessageDecoder();
    const t0 = performance.now();
    let n = 0;
    for (let rep = 0; rep < 16; rep++) for (let i = 0; i < one.length; i++) n += d.push(one.subarray(i, i + 1)).length;
    expect(n).toBe(16);
    // one large message split into 256 Ki one-byte chunks: assembled with a single copy
    const big = encodeMessage({ type: 'extended', ext: 1, payload: new Uint8Array(256 * 1024).fill(3) });
    const out: Message[] = [];
    for (let i = 0; i < big.length; i++) out.push(...d.push(big.subarray(i, i + 1)));
    expect(out).toHaveLength(1);
    expect(out[0]?.type === 'extended' && out[0].payload.every((b) => b === 3)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
