import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseAnnounceQuery, parseScrapeQuery, percentDecode, toHex } from '../../../tracker/announce-params.ts';
import { TrackerError } from '../../../src/errors.ts';

const enc = (b: Uint8Array): string => [...b].map((x) => '%' + x.toString(16).padStart(2, '0')).join('');
const IH = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
const PID = new TextEncoder().encode('-RS0001-abcdefghijkl');
const base = `info_hash=${enc(IH)}&peer_id=${enc(PID)}&port=6881&uploaded=0&downloaded=0&left=1000`;

function failure(q: string): string {
  try {
    parseAnnounceQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(TrackerError);
    return (e as Error).message;
  }
  throw new Error('expected a TrackerError');
}

describe('parseAnnounceQuery', () => {
  it('decodes binary info_hash and peer_id and the numeric fields', () => {
    const p = parseAnnounceQuery(`${base}&event=started&numwant=30&compact=1&key=abc`);
    expect(toHex(p.infoHash)).toBe(toHex(IH));
    expect(new TextDecoder().decode(p.peerId)).toBe('-RS0001-abcdefghijkl');
    expect(p).toMatchObject({ port: 6881, left: 1000n, event: 'started', numwant: 30, compact: true, key: 'abc' });
  });

  it('accepts counters beyond 2^53 as bigint', () => {
    const p = parseAnnounceQuery(base.replace('left=1000', 'left=18446744073709551615'));
    expect(p.left).toBe(18446744073709551615n);
  });

  it('mixes raw unreserved chars and escapes in info_hash, as clients do', () => {
    const raw = 'abcdefghij0123456789';
    expect(toHex(parseAnnounceQuery(base.replace(enc(IH), raw)).infoHash)).toBe(toHex(new TextEncoder().encode(raw)));
  });

  it('compact=0 asks for the dictionary list; absent means compact', () => {
    expect(parseAnnounceQuery(`${base}&compact=0`).compact).toBe(false);
    expect(parseAnnounceQuery(base).compact).toBe(true);
  });

  it('clamps absurd numwant and treats negatives as "default"', () => {
    expect(parseAnnounceQuery(`${base}&numwant=99999999999999999999`).numwant).toBe(200);
    expect(parseAnnounceQuery(`${base}&numwant=5000`, 100).numwant).toBe(100);
    expect(parseAnnounceQuery(`${base}&numwant=-1`).numwant).toBeUndefined();
    expect(failure(`${base}&numwant=lots`)).toMatch(/numwant/);
  });

  it.each([
    ['missing info_hash', base.replace(/info_hash=[^&]*&/, ''), /missing info_hash/],
    ['short info_hash', base.replace(enc(IH), enc(IH.subarray(0, 19))), /info_hash must be 20 bytes, got 19/],
    ['long peer_id', base.replace(enc(PID), enc(PID) + '%00'), /peer_id must be 20 bytes/],
    ['port 0', base.replace('port=6881', 'port=0'), /invalid port/],
    ['port 65536', base.replace('port=6881', 'port=65536'), /invalid port/],
    ['port text', base.replace('port=6881', 'port=http'), /invalid port/],
    ['missing port', base.replace('port=6881&', ''), /missing port/],
    ['negative left', base.replace('left=1000', 'left=-5'), /invalid left/],
    ['missing left', base.replace('&left=1000', ''), /missing left/],
    ['bad event', `${base}&event=exploded`, /invalid event/],
    ['bad escape', base.replace('%00', '%zz'), /percent-escape/],
    ['duplicate info_hash', `${base}&info_hash=${enc(IH)}`, /given 2 times/],
  ])('%s → failure reason', (_name, q, msg) => {
    expect(failure(q)).toMatch(msg);
  });

  it('ignores an ip that is not an IP literal', () => {
    expect(parseAnnounceQuery(`${base}&ip=example.com`).ip).toBeUndefined();
    expect(parseAnnounceQuery(`${base}&ip=10.1.2.3`).ip).toBe('10.1.2.3');
  });

  it('fuzz: arbitrary query strings parse or throw TrackerError, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (q) => {
        try {
          parseAnnounceQuery(q);
        } catch (e) {
          expect(e).toBeInstanceOf(TrackerError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('property: percent-encoding any 20 bytes round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), (ih, pid) => {
        const p = parseAnnounceQuery(`info_hash=${enc(ih)}&peer_id=${enc(pid)}&port=1&left=0`);
        expect(toHex(p.infoHash)).toBe(toHex(ih));
        expect(toHex(p.peerId)).toBe(toHex(pid));
      }),
    );
  });
});

describe('parseScrapeQuery', () => {
  it('returns every info_hash (BEP 48), none for a full scrape', () => {
    expect(parseScrapeQuery(`info_hash=${enc(IH)}&info_hash=${enc(PID)}`)).toHaveLength(2);
    expect(parseScrapeQuery('')).toEqual([]);
  });
  it('refuses wrong lengths and too many hashes', () => {
    expect(() => parseScrapeQuery('info_hash=abc')).toThrow(TrackerError);
    expect(() => parseScrapeQuery(Array(5).fill(`info_hash=${enc(IH)}`).join('&'), 4)).toThrow(/too many/);
  });
  it('percentDecode maps + to space', () => {
    expect([...percentDecode('a+b%2B')]).toEqual([0x61, 0x20, 0x62, 0x2b]);
  });
});
