import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { udpTrackerCodec as codec, type UdpTrackerResponse } from '../../../tracker/udp-rpc-codec.ts';
import * as udp from '../../../tracker/udp-protocol.ts';

const IH = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const PID = Uint8Array.from({ length: 20 }, (_, i) => 200 - i);
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

describe('BEP 15 RpcCodec', () => {
  it('puts the transaction id at offset 12 of every request', () => {
    fc.assert(
      fc.property(u32, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (tid, cid) => {
        for (const req of [
          { action: 'connect' as const },
          { action: 'scrape' as const, connectionId: cid, infoHashes: [IH] },
          { action: 'announce' as const, connectionId: cid, infoHash: IH, peerId: PID, downloaded: 1n, left: 2n, uploaded: 3n, event: 'started' as const, ip: 0, key: 9, numwant: 50, port: 6881 },
        ]) {
          const b = codec.encodeRequest(tid, req);
          expect(new DataView(b.buffer, b.byteOffset).getUint32(12)).toBe(tid);
          // And the server's decoder agrees on everything else.
          expect(udp.decodeRequest(b)).toMatchObject({ ...req, transactionId: tid });
        }
      }),
    );
  });

  it('responses round-trip with the transaction id taken from offset 4', () => {
    const responses: UdpTrackerResponse[] = [
      { action: 'connect', connectionId: 0xfedcba9876543210n },
      { action: 'announce', interval: 1800, leechers: 3, seeders: 4, peers: Uint8Array.of(127, 0, 0, 1, 0x1a, 0xe1) },
      { action: 'scrape', counts: [{ seeders: 1, completed: 2, leechers: 3 }] },
      { action: 'error', message: 'invalid or expired connection id' },
    ];
    fc.assert(
      fc.property(u32, fc.constantFrom(...responses), (tid, res) => {
        const b = codec.encodeResponse(tid, res);
        expect(new DataView(b.buffer, b.byteOffset).getUint32(4)).toBe(tid);
        expect(codec.decode(b)).toEqual({ kind: 'response', tid, message: res });
      }),
    );
  });

  it('decode is total: random bytes give undefined or a response, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const d = codec.decode(b);
        if (d !== undefined) {
          expect(d.kind).toBe('response');
          expect(d.tid).toBe(new DataView(b.buffer, b.byteOffset).getUint32(4));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a truncated or unknown-action datagram is not a response', () => {
    expect(codec.decode(new Uint8Array(7))).toBeUndefined();
    expect(codec.decode(Uint8Array.of(0, 0, 0, 9, 0, 0, 0, 1))).toBeUndefined();
    expect(codec.decode(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 0))).toBeUndefined(); // short connect
  });
});
