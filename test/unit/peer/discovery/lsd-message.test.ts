import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.ts';
import { LSD_MAX_DATAGRAM, encodeLsdAnnounce, parseLsdAnnounce } from '../../../../peer/discovery/lsd-message.ts';

const H = 'ab'.repeat(20);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('BEP 14 announce', () => {
  it('encodes exactly the BEP 14 format', () => {
    const b = encodeLsdAnnounce({ host: '239.192.152.143:6771', port: 6881, infoHashes: [H], cookie: 'c1' });
    expect(new TextDecoder().decode(b)).toBe(`BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${H}\r\ncookie: c1\r\n\r\n\r\n`);
  });

  it('parses what libtorrent sends: any header case, several infohashes, unknown headers, no cookie', () => {
    const a = parseLsdAnnounce(enc(`BT-SEARCH * HTTP/1.1\r\nhost: 239.192.152.143:6771\r\nPORT: 51413\r\nInfohash: ${H.toUpperCase()}\r\nInfohash: ${'cd'.repeat(20)}\r\nX-Future: 1\r\n\r\n\r\n`));
    expect(a).toEqual({ host: '239.192.152.143:6771', port: 51413, infoHashes: [H, 'cd'.repeat(20)] });
  });

  it('round-trips random announces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.uniqueArray(fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex')), { minLength: 1, maxLength: 10 }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,16}$/), { nil: undefined }),
        (port, infoHashes, cookie) => {
          const a = { host: '127.255.255.255:7000', port, infoHashes, ...(cookie === undefined ? {} : { cookie }) };
          expect(parseLsdAnnounce(encodeLsdAnnounce(a))).toEqual(a);
        },
      ),
    );
  });

  it('refuses garbage, oversized, and announces without a usable port or infohash', () => {
    const bad = [
      '',
      'GET / HTTP/1.1\r\n\r\n',
      `BT-SEARCH * HTTP/1.1\r\nInfohash: ${H}\r\n\r\n`,
      `BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n\r\n`,
      `BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: ${H}\r\n\r\n`,
      `BT-SEARCH * HTTP/1.1\r\nPort: 70000\r\nInfohash: ${H}\r\n\r\n`,
      `BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nPort: 2\r\nInfohash: ${H}\r\n\r\n`,
      `BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: xyz\r\n\r\n`,
      `BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nnocolon\r\nInfohash: ${H}\r\n\r\n`,
      `BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: ${H}\r\nX: ${'a'.repeat(LSD_MAX_DATAGRAM)}\r\n\r\n`,
    ];
    for (const s of bad) expect(() => parseLsdAnnounce(enc(s)), s.slice(0, 60)).toThrow(ProtocolError);
    expect(() => parseLsdAnnounce(Uint8Array.from([0x42, 0x00, 0xff]))).toThrow(ProtocolError);
  });

  it('never throws anything but a ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 1600 }), fc.string({ maxLength: 300 }).map((s) => enc(`BT-SEARCH * HTTP/1.1\r\n${s}`))), (b) => {
        try {
          const a = parseLsdAnnounce(b);
          expect(a.port).toBeGreaterThan(0);
          expect(a.infoHashes.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
