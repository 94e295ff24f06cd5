import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  HANDSHAKE_LENGTH,
  HandshakeReader,
  capabilities,
  decodeHandshake,
  encodeHandshake,
  reservedBytes,
} from '../../../../peer/wire/handshake.ts';
import { WireError } from '../../../../peer/wire/wire-error.ts';
import { ProtocolError } from '../../../../src/errors.ts';

const bytes20 = fc.uint8Array({ minLength: 20, maxLength: 20 });
const bytes8 = fc.uint8Array({ minLength: 8, maxLength: 8 });

/** Split buf at random cut points. */
function chunked(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('handshake', () => {
  it('encodes the BEP 3 layout', () => {
    const h = { reserved: reservedBytes({ extensionProtocol: true, dht: true }), infoHash: new Uint8Array(20).fill(0xaa), peerId: new Uint8Array(20).fill(0x42) };
    const b = encodeHandshake(h);
    expect(b.length).toBe(68);
    expect(b[0]).toBe(19);
    expect(Buffer.from(b.subarray(1, 20)).toString('latin1')).toBe('BitTorrent protocol');
    expect([...b.subarray(20, 28)]).toEqual([0, 0, 0, 0, 0, 0x10, 0, 0x01]);
    expect(b[28]).toBe(0xaa);
    expect(b[48]).toBe(0x42);
  });

  it('never sets the fast-extension bit, reads it from peers', () => {
    const r = reservedBytes({ extensionProtocol: true, dht: true });
    expect(r[7]! & 0x04).toBe(0);
    expect(capabilities(r)).toEqual({ extensionProtocol: true, dht: true, fast: false });
    expect(capabilities(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0x04])).fast).toBe(true);
    expect(capabilities(new Uint8Array(8))).toEqual({ extensionProtocol: false, dht: false, fast: false });
  });

  it('round-trips any handshake, whatever the chunking, and hands back the trailing bytes', () => {
    fc.assert(
      fc.property(bytes8, bytes20, bytes20, fc.uint8Array({ maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 10 }), (reserved, infoHash, peerId, tail, cuts) => {
        const wire = Buffer.concat([encodeHandshake({ reserved, infoHash, peerId }), tail]);
        const r = new HandshakeReader();
        for (const c of chunked(wire, cuts)) r.push(c);
        const res = r.result();
        expect(res).toBeDefined();
        expect(res!.handshake).toEqual({ reserved, infoHash, peerId });
        expect([...res!.rest]).toEqual([...tail]);
        expect(decodeHandshake(wire.subarray(0, 68))).toEqual({ reserved, infoHash, peerId });
      }),
    );
  });

  it('exposes the infohash after 48 bytes, before the peer id', () => {
    const infoHash = new Uint8Array(20).fill(7);
    const b = encodeHandshake({ reserved: new Uint8Array(8), infoHash, peerId: new Uint8Array(20) });
    const r = new HandshakeReader();
    r.push(b.subarray(0, 47));
    expect(r.header()).toBeUndefined();
    r.push(b.subarray(47, 48));
    expect(r.header()?.infoHash).toEqual(infoHash);
    expect(r.result()).toBeUndefined();
    r.push(b.subarray(48));
    expect(r.result()).toBeDefined();
  });

  it('rejects a wrong protocol string early, with a typed error', () => {
    const r = new HandshakeReader();
    expect(() => r.push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(WireError);
    const r2 = new HandshakeReader();
    r2.push(new Uint8Array([19, 0x42]));
    expect(() => r2.push(Buffer.from('xTorrent'))).toThrow(ProtocolError);
  });

  it('fuzz: garbage only ever throws WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (junk) => {
        try {
          decodeHandshake(junk);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
          expect((e as WireError).code).toBe('PROTOCOL');
        }
      }),
    );
  });

  it('refuses a short or long buffer in decodeHandshake', () => {
    const b = encodeHandshake({ reserved: new Uint8Array(8), infoHash: new Uint8Array(20), peerId: new Uint8Array(20) });
    expect(() => decodeHandshake(b.subarray(0, HANDSHAKE_LENGTH - 1))).toThrow(WireError);
    expect(() => decodeHandshake(Buffer.concat([b, Buffer.from([0])]))).toThrow(WireError);
  });
});
