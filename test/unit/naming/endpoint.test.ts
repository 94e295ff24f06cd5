import { isIPv4, isIPv6 } from 'node:net';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { EndpointError } from '../../../src/errors.ts';
import {
  canonicalHost,
  decodeCompactPeers,
  encodeCompactPeer,
  encodeCompactPeers,
  formatAddress,
  formatEndpoint,
  formatIP,
  ipFamily,
  parseAddress,
  parseEndpoint,
  parseIPv4,
  parseIPv6,
  parseListenEndpoint,
  sameEndpoint,
  unmapIPv4,
  type Endpoint,
} from '../../../src/naming/endpoint.ts';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ipv6Bytes = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  // Mostly-zero addresses exercise the '::' compression rules.
  fc.array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 }).map((a) => Uint8Array.from(a)),
);
const ipv6 = ipv6Bytes.map(formatIP);
const hostname = fc
  .array(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), { minLength: 1, maxLength: 4 })
  .map((ls) => ls.join('.'));
const port = fc.integer({ min: 1, max: 65535 });
const endpoint: fc.Arbitrary<Endpoint> = fc.record({ host: fc.oneof(ipv4, ipv6, hostname), port });

function expectEndpointError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EndpointError);
    return;
  }
  throw new Error('expected an EndpointError');
}

describe('IP literals', () => {
  it('classifies hosts', () => {
    expect(ipFamily('1.2.3.4')).toBe(4);
    expect(ipFamily('::1')).toBe(6);
    expect(ipFamily('::ffff:1.2.3.4')).toBe(6);
    expect(ipFamily('localhost')).toBe(0);
    expect(ipFamily('01.2.3.4')).toBe(0);
    expect(ipFamily('256.1.1.1')).toBe(0);
    expect(ipFamily('fe80::1%eth0')).toBe(0);
    expect(ipFamily('')).toBe(0);
  });

  it('formats IPv6 canonically (RFC 5952)', () => {
    const c = (s: string): string => formatIP(parseIPv6(s)!);
    expect(c('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(c('0:0:0:0:0:0:0:0')).toBe('::');
    expect(c('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(c('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(c('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1');
    expect(c('0001:00:0::0:abcd')).toBe('1::abcd');
    expect(c('::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4');
    expect(c('::ffff:102:304')).toBe('::ffff:1.2.3.4');
    expect(c('::1.2.3.4')).toBe('::102:304');
    expect(c('1:2:3:4:5:6:7::')).toBe('1:2:3:4:5:6:7:0');
  });

  it('accepts exactly what node:net accepts (zone ids aside)', () => {
    const samples = [
      '::', '1::', '::1', '1::2::3', '1:::2', ':1::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7:1.2.3.4', '::ffff:01.2.3.4', '00000::1', '1.2.3::4', ':', '1:2:3:4:5:6:7:8',
    ];
    for (const s of samples) expect(parseIPv6(s) !== null, s).toBe(isIPv6(s));
    const piece = fc.constantFrom('', '0', '1', 'ff', 'FFFF', '12345', '1.2.3.4', '::', ':', 'g');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), fc.boolean(), (ps, colon) => {
        const s = ps.join(colon ? ':' : '');
        expect(parseIPv6(s) !== null).toBe(isIPv6(s));
        expect(parseIPv4(s) !== null).toBe(isIPv4(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips bytes and agrees with the WHATWG URL serializer', () => {
    fc.assert(
      fc.property(ipv6Bytes, (b) => {
        const s = formatIP(b);
        expect(parseIPv6(s)).toEqual(b);
        expect(isIPv6(s)).toBe(true);
        if (!s.startsWith('::ffff:') || !s.includes('.')) {
          expect(new URL(`http://[${s}]/`).hostname).toBe(`[${s}]`);
        }
      }),
    );
    fc.assert(
      fc.property(ipv4, (s) => {
        expect(formatIP(parseIPv4(s)!)).toBe(s);
      }),
    );
  });

  it('unmaps IPv4-mapped addresses only', () => {
    expect(unmapIPv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIPv4('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(unmapIPv4('::1')).toBe('::1');
    expect(unmapIPv4('example.org')).toBe('example.org');
    expect(canonicalHost('Example.ORG')).toBe('example.org');
  });
});

describe('parseEndpoint / formatEndpoint', () => {
  it('parses the usual forms', () => {
    expect(parseEndpoint('1.2.3.4:6881')).toEqual({ host: '1.2.3.4', port: 6881 });
    expect(parseEndpoint('[::1]:6881')).toEqual({ host: '::1', port: 6881 });
    expect(parseEndpoint('[2001:DB8::0:1]:1')).toEqual({ host: '2001:db8::1', port: 1 });
    expect(parseEndpoint('Tracker.Example:80')).toEqual({ host: 'tracker.example', port: 80 });
    expect(parseEndpoint('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
    expect(parseEndpoint('1.2.3.4', 6881)).toEqual({ host: '1.2.3.4', port: 6881 });
    expect(parseEndpoint('host-a', 7)).toEqual({ host: 'host-a', port: 7 });
    expect(parseEndpoint('::1', 6881)).toEqual({ host: '::1', port: 6881 });
    expect(parseEndpoint('[::1]', 6881)).toEqual({ host: '::1', port: 6881 });
    expect(parseEndpoint('h:81', 80)).toEqual({ host: 'h', port: 81 });
  });

  it('rejects bad input with EndpointError', () => {
    const bad = [
      '', '1.2.3.4', '::1', '[::1]', 'host', '1.2.3.4:', '1.2.3.4:0', '1.2.3.4:65536', '1.2.3.4:-1',
      '1.2.3.4:+80', '1.2.3.4:8a', '1.2.3.4:999999', '[::1', '[::1]x', '[::1]:', '[1.2.3.4]:80',
      '[host]:80', 'a b:80', '-bad:80', 'bad-:80', '1.2.3:80', '256.1.1.1:80', 'a..b:80', ' h:80',
      'h:80 ', 'h:80/x', 'user@h:80', 'fe80::1%eth0', '[fe80::1%eth0]:80', '1.2.3.4:0080000',
      `${'a'.repeat(64)}:80`, '::1:80:x',
    ];
    for (const s of bad) expectEndpointError(() => parseEndpoint(s));
    expectEndpointError(() => parseEndpoint('h', 0));
    expectEndpointError(() => parseEndpoint('h', 70000));
  });

  it('allows port 0 only for listen addresses', () => {
    expect(parseListenEndpoint('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenEndpoint('[::]', 0)).toEqual({ host: '::', port: 0 });
    expectEndpointError(() => parseListenEndpoint('127.0.0.1:65536'));
  });

  it('formats', () => {
    expect(formatEndpoint({ host: '1.2.3.4', port: 6881 })).toBe('1.2.3.4:6881');
    expect(formatEndpoint({ host: '::1', port: 6881 })).toBe('[::1]:6881');
    expect(formatEndpoint({ host: '0:0::1', port: 6881 })).toBe('[::1]:6881');
    expect(formatEndpoint({ host: 'host', port: 80 })).toBe('host:80');
  });

  it('round-trips parse(format(e))', () => {
    fc.assert(
      fc.property(endpoint, (e) => {
        expect(parseEndpoint(formatEndpoint(e))).toEqual(e);
      }),
    );
  });

  it('throws only EndpointError on arbitrary strings', () => {
    const chars = fc.constantFrom(...'0123456789abcdef:.[]/@ -%xZ'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(chars, { maxLength: 30 }).map((a) => a.join(''))), fc.option(port), (s, d) => {
        try {
          const e = parseEndpoint(s, d ?? undefined);
          expect(e.port >= 1 && e.port <= 65535).toBe(true);
          expect(sameEndpoint(parseEndpoint(formatEndpoint(e)), e)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(EndpointError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseAddress', () => {
  it('parses schemes, default ports, paths and queries', () => {
    expect(parseAddress('http://tracker.example/announce?x=1#frag')).toEqual({
      scheme: 'http',
      endpoint: { host: 'tracker.example', port: 80 },
      path: '/announce?x=1',
    });
    expect(parseAddress('HTTPS://[::1]')).toEqual({ scheme: 'https', endpoint: { host: '::1', port: 443 }, path: '' });
    expect(parseAddress('https://h:8443/a/b')).toEqual({ scheme: 'https', endpoint: { host: 'h', port: 8443 }, path: '/a/b' });
    expect(parseAddress('http://h?q')).toEqual({ scheme: 'http', endpoint: { host: 'h', port: 80 }, path: '?q' });
    expect(parseAddress('udp://127.0.0.1:6969/announce')).toEqual({
      scheme: 'udp',
      endpoint: { host: '127.0.0.1', port: 6969 },
      path: '/announce',
    });
    expect(parseAddress('tcp://h', 6881)).toEqual({ scheme: 'tcp', endpoint: { host: 'h', port: 6881 }, path: '' });
    expect(parseAddress('h:1')).toEqual({ endpoint: { host: 'h', port: 1 }, path: '' });
  });

  it('rejects bad addresses with EndpointError', () => {
    for (const s of ['ftp://h:1', 'tcp://h', 'udp://', 'http://', 'http://u:p@h/', 'http://h:0/', 'http://h/a b', 'h:1/x', 'http://h:x/']) {
      expectEndpointError(() => parseAddress(s));
    }
  });

  it('round-trips through formatAddress', () => {
    const scheme = fc.constantFrom('tcp', 'udp', 'http', 'https') as fc.Arbitrary<'tcp' | 'udp' | 'http' | 'https'>;
    const path = fc.oneof(fc.constant(''), fc.stringMatching(/^\/[a-z0-9/._-]{0,20}(\?[a-z0-9=&%]{0,10})?$/));
    fc.assert(
      fc.property(scheme, endpoint, path, (s, e, p) => {
        const a = { scheme: s, endpoint: e, path: p };
        expect(parseAddress(formatAddress(a))).toEqual(a);
      }),
    );
  });
});

describe('sameEndpoint', () => {
  it('normalises IPv6 spellings, IPv4-mapped forms and hostname case', () => {
    expect(sameEndpoint({ host: '::1', port: 1 }, { host: '0:0:0:0:0:0:0:1', port: 1 })).toBe(true);
    expect(sameEndpoint({ host: '1.2.3.4', port: 1 }, { host: '::ffff:1.2.3.4', port: 1 })).toBe(true);
    expect(sameEndpoint({ host: '1.2.3.4', port: 1 }, { host: '::FFFF:102:304', port: 1 })).toBe(true);
    expect(sameEndpoint({ host: 'A.example', port: 1 }, { host: 'a.example', port: 1 })).toBe(true);
    expect(sameEndpoint({ host: '1.2.3.4', port: 1 }, { host: '1.2.3.4', port: 2 })).toBe(false);
    expect(sameEndpoint({ host: '1.2.3.4', port: 1 }, { host: '::102:304', port: 1 })).toBe(false);
    expect(sameEndpoint({ host: '::1', port: 1 }, { host: '::2', port: 1 })).toBe(false);
  });
});

describe('compact peers', () => {
  it('encodes known bytes', () => {
    expect(Array.from(encodeCompactPeer({ host: '10.0.0.1', port: 6881 }))).toEqual([10, 0, 0, 1, 0x1a, 0xe1]);
    expect(Array.from(encodeCompactPeer({ host: '::ffff:10.0.0.1', port: 6881 }))).toEqual([10, 0, 0, 1, 0x1a, 0xe1]);
    const v6 = encodeCompactPeer({ host: '::1', port: 1 });
    expect(v6.length).toBe(18);
    expect(v6[15]).toBe(1);
    expect(v6[17]).toBe(1);
    expectEndpointError(() => encodeCompactPeer({ host: 'localhost', port: 1 }));
    expectEndpointError(() => encodeCompactPeer({ host: '1.2.3.4', port: 65536 }));
    expectEndpointError(() => encodeCompactPeer({ host: '1.2.3.4', port: 1.5 }));
  });

  it('skips other families and hostnames', () => {
    const peers = [
      { host: '1.2.3.4', port: 1 },
      { host: '::1', port: 2 },
      { host: 'name', port: 3 },
      { host: '::ffff:5.6.7.8', port: 4 },
    ];
    expect(decodeCompactPeers(encodeCompactPeers(peers, 4), 4)).toEqual([
      { host: '1.2.3.4', port: 1 },
      { host: '5.6.7.8', port: 4 },
    ]);
    expect(decodeCompactPeers(encodeCompactPeers(peers, 6), 6)).toEqual([{ host: '::1', port: 2 }]);
  });

  it('decodes IPv6 canonically', () => {
    const b = new Uint8Array(18);
    b[0] = 0x20;
    b[1] = 0x01;
    b[2] = 0x0d;
    b[3] = 0xb8;
    b[15] = 1;
    b[17] = 80;
    expect(decodeCompactPeers(b, 6)).toEqual([{ host: '2001:db8::1', port: 80 }]);
  });

  it('round-trips for both families', () => {
    const v4 = fc.array(fc.record({ host: ipv4, port: fc.nat(65535) }), { maxLength: 20 });
    fc.assert(fc.property(v4, (ps) => {
      expect(decodeCompactPeers(encodeCompactPeers(ps, 4), 4)).toEqual(ps);
    }));
    const notMapped = ipv6.filter((h) => unmapIPv4(h) === h);
    const v6 = fc.array(fc.record({ host: notMapped, port: fc.nat(65535) }), { maxLength: 20 });
    fc.assert(fc.property(v6, (ps) => {
      expect(decodeCompactPeers(encodeCompactPeers(ps, 6), 6)).toEqual(ps);
    }));
  });

  it('decodes any byte string of the right length and re-encodes it exactly; other lengths → EndpointError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(4, 6) as fc.Arbitrary<4 | 6>, (buf, fam) => {
        const size = fam === 4 ? 6 : 18;
        if (buf.length % size !== 0) {
          expectEndpointError(() => decodeCompactPeers(buf, fam));
          return;
        }
        const peers = decodeCompactPeers(buf, fam);
        expect(peers.length).toBe(buf.length / size);
        peers.forEach((p, i) => {
          const raw = buf.subarray(i * size, (i + 1) * size);
          const enc = encodeCompactPeer(p);
          // An IPv4-mapped entry of a peers6 string re-encodes as the IPv4 peer it is.
          if (enc.length === size) expect(enc).toEqual(raw);
          else expect(enc).toEqual(Uint8Array.from([...raw.subarray(12)]));
        });
      }),
    );
    expectEndpointError(() => decodeCompactPeers(new Uint8Array(7), 4));
    expectEndpointError(() => decodeCompactPeers(new Uint8Array(6), 6));
    expectEndpointError(() => decodeCompactPeers(new Uint8Array(6), 5 as 4));
  });
});
