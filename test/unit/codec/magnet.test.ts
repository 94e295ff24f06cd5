import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMagnet, parseMagnet } from '../../../src/codec/magnet.ts';
import { MagnetError } from '../../../src/errors.ts';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const BASE32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK'; // the same 20 bytes

describe('parseMagnet', () => {
  it('parses hex infohash, name, trackers and peers', () => {
    const m = parseMagnet(`magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=Some+Name%21&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&tr=udp%3A%2F%2F127.0.0.1%3A6969&x.pe=127.0.0.1:6881&x.pe=%5B%3A%3A1%5D%3A6882&ws=http%3A%2F%2Fseed%2F`);
    expect(m.infoHashHex).toBe(HEX);
    expect(Buffer.from(m.infoHash).toString('hex')).toBe(HEX);
    expect(m.name).toBe('Some Name!');
    expect(m.trackers).toEqual(['http://127.0.0.1:6969/announce', 'udp://127.0.0.1:6969']);
    expect(m.peers).toEqual([{ host: '127.0.0.1', port: 6881 }, { host: '::1', port: 6882 }]);
    expect(m.webSeeds).toEqual(['http://seed/']);
  });

  it('parses base32 infohashes to the same bytes', () => {
    expect(parseMagnet(`magnet:?xt=urn:btih:${BASE32}`).infoHashHex).toBe(HEX);
    expect(parseMagnet(`magnet:?xt=urn:btih:${BASE32.toLowerCase()}`).infoHashHex).toBe(HEX);
  });

  it('accepts indexed keys, duplicate trackers once, hybrid links and skips bad peers', () => {
    const m = parseMagnet(`MAGNET:?xt.1=urn:btmh:1220${'ab'.repeat(32)}&xt.2=urn:btih:${HEX}&tr.1=http://a/&tr.2=http://a/&x.pe=notapeer&x.pe=127.0.0.1:0&junk&=x`);
    expect(m.infoHashHex).toBe(HEX);
    expect(m.trackers).toEqual(['http://a/']);
    expect(m.peers).toEqual([]);
    expect(m.name).toBeUndefined();
  });

  it.each([
    ['not a magnet', 'http://example/'],
    ['no xt', 'magnet:?dn=x'],
    ['v2 only', `magnet:?xt=urn:btmh:1220${'ab'.repeat(32)}`],
    ['short hex', `magnet:?xt=urn:btih:${HEX.slice(1)}`],
    ['bad base32', `magnet:?xt=urn:btih:${BASE32.slice(1)}1`],
    ['bad percent', `magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A`],
    ['other urn', 'magnet:?xt=urn:sha1:abc'],
  ])('rejects %s', (_name, uri) => {
    expect(() => parseMagnet(uri)).toThrow(MagnetError);
  });

  it('fuzz: random strings throw only MagnetError', () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom('magnet:?', 'xt=urn:btih:', HEX, BASE32, '&', '=', '%', '%zz', 'x.pe=', 'tr=', 'dn='));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        try {
          const m = parseMagnet(parts.join(''));
          expect(m.infoHash.length).toBe(20);
        } catch (e) {
          expect(e).toBeInstanceOf(MagnetError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('formatMagnet', () => {
  it('round-trips through parseMagnet', () => {
    const endpoint = fc.record({ host: fc.constantFrom('127.0.0.1', '::1', 'example.com'), port: fc.integer({ min: 1, max: 65535 }) });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
        fc.uniqueArray(fc.string({ maxLength: 12 }).map((q) => `http://127.0.0.1:6969/announce?${q}`), { maxLength: 3 }),
        fc.array(endpoint, { maxLength: 3 }),
        (infoHash, name, trackers, peers) => {
          const m = parseMagnet(formatMagnet({ infoHash, name, trackers, peers }));
          expect(m.infoHash).toEqual(infoHash);
          expect(m.name).toBe(name);
          expect(m.trackers).toEqual(trackers);
          expect(m.peers).toEqual(peers);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('writes the expected form and rejects bad hashes', () => {
    const infoHash = Buffer.from(HEX, 'hex');
    expect(formatMagnet({ infoHash, name: 'a b', trackers: ['http://t/a?x=1'] })).toBe(`magnet:?xt=urn:btih:${HEX}&dn=a%20b&tr=http%3A%2F%2Ft%2Fa%3Fx%3D1`);
    expect(() => formatMagnet({ infoHash: new Uint8Array(19) })).toThrow(MagnetError);
  });
});
