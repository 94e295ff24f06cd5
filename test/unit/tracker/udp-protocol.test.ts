import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as udp from '../../../tracker/udp-protocol.ts';

const IH = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const PID = Uint8Array.from({ length: 20 }, (_, i) => 200 - i);

describe('BEP 15 codec', () => {
  it('connect request: magic, action 0, transaction id (the BEP layout)', () => {
    const b = udp.encodeConnectRequest(0xdeadbeef);
    expect(Buffer.from(b).toString('hex')).toBe('0000041727101980' + '00000000' + 'deadbeef');
    expect(udp.decodeRequest(b)).toEqual({ action: 'connect', transactionId: 0xdeadbeef });
  });

  it('connect without the protocol magic is dropped', () => {
    const b = udp.encodeConnectRequest(1);
    b[7] = 0;
    expect(udp.decodeRequest(b)).toBeUndefined();
  });

  it('announce request round-trips, including 64-bit counters and numwant -1', () => {
    const r = {
      connectionId: 0x0123456789abcdefn, transactionId: 7, infoHash: IH, peerId: PID,
      downloaded: 2n ** 60n, left: 0n, uploaded: 5n, event: 'completed' as const, ip: 0, key: 99, numwant: -1, port: 51413,
    };
    const b = udp.encodeAnnounceRequest(r);
    expect(b.length).toBe(98);
    expect(udp.decodeRequest(b)).toEqual({ action: 'announce', ...r });
  });

  it('announce with BEP 41 options after 98 bytes still decodes; 97 bytes does not', () => {
    const b = udp.encodeAnnounceRequest({ connectionId: 1n, transactionId: 1, infoHash: IH, peerId: PID, downloaded: 0n, left: 1n, uploaded: 0n, event: 'started', ip: 0, key: 0, numwant: 10, port: 1 });
    const withOpts = new Uint8Array(110);
    withOpts.set(b);
    expect(udp.decodeRequest(withOpts)?.action).toBe('announce');
    expect(udp.decodeRequest(b.subarray(0, 97))).toBeUndefined();
  });

  it('scrape request: 1..74 hashes; ragged or empty is dropped', () => {
    const b = udp.encodeScrapeRequest(5n, 9, [IH, PID]);
    expect(udp.decodeRequest(b)).toEqual({ action: 'scrape', connectionId: 5n, transactionId: 9, infoHashes: [IH, PID] });
    expect(udp.decodeRequest(b.subarray(0, b.length - 1))).toBeUndefined();
    expect(udp.decodeRequest(udp.encodeScrapeRequest(5n, 9, []))).toBeUndefined();
    expect(udp.decodeRequest(udp.encodeScrapeRequest(5n, 9, Array(75).fill(IH)))).toBeUndefined();
  });

  it('responses round-trip', () => {
    expect(udp.decodeResponse(udp.encodeConnectResponse(3, 2n ** 63n))).toEqual({ action: 'connect', transactionId: 3, connectionId: 2n ** 63n });
    const peers = Uint8Array.from([127, 0, 0, 1, 0x1a, 0xe1]);
    expect(udp.decodeResponse(udp.encodeAnnounceResponse(4, 1800, 2, 1, peers))).toEqual({ action: 'announce', transactionId: 4, interval: 1800, leechers: 2, seeders: 1, peers });
    const counts = [{ seeders: 1, completed: 2, leechers: 3 }];
    expect(udp.decodeResponse(udp.encodeScrapeResponse(5, counts))).toEqual({ action: 'scrape', transactionId: 5, counts });
    expect(udp.decodeResponse(udp.encodeErrorResponse(6, 'bad connection id'))).toEqual({ action: 'error', transactionId: 6, message: 'bad connection id' });
  });

  it('fuzz: decodeRequest/decodeResponse never throw on garbage or truncations', () => {
    const valid = [
      udp.encodeConnectRequest(1),
      udp.encodeAnnounceRequest({ connectionId: 1n, transactionId: 1, infoHash: IH, peerId: PID, downloaded: 0n, left: 1n, uploaded: 0n, event: 'started', ip: 0, key: 0, numwant: 10, port: 1 }),
      udp.encodeScrapeRequest(1n, 1, [IH]),
    ];
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.nat(255)).map(([v, i, x]) => {
        const c = v.slice(0, (i % (v.length + 1)));
        if (c.length > 0) c[i % c.length] = x;
        return c;
      })), (b) => {
        udp.decodeRequest(b);
        udp.decodeResponse(b);
        udp.peekTransactionId(b);
      }),
      { numRuns: 2000 },
    );
  });
});
