import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bencode } from '../../../../src/codec/bencode.ts';
import { ProtocolError } from '../../../../src/errors.ts';
import type { Endpoint } from '../../../../src/naming/endpoint.ts';
import { PexExtension } from '../../../../peer/ext/pex-extension.ts';
import type { ExtensionPeer } from '../../../../peer/ext/types.ts';
import { PEX_FLAG, PexSender, decodePexMessage, encodePexMessage, type PexPeer } from '../../../../peer/ext/ut-pex.ts';
import type { DecodedExtensionHandshake } from '../../../../peer/wire/extension.ts';

const ep = (host: string, port: number): Endpoint => ({ host, port });
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
const port = fc.integer({ min: 1, max: 65535 });

describe('ut_pex codec', () => {
  it('encodes IPv4 and IPv6 into the BEP 11 keys', () => {
    const b = encodePexMessage({ added: [{ endpoint: ep('1.2.3.4', 0x1ae1), flags: PEX_FLAG.seed }, { endpoint: ep('::1', 80), flags: 0 }], dropped: [ep('5.6.7.8', 1)] });
    const s = Buffer.from(b).toString('latin1');
    expect(s).toBe('d5:added6:\x01\x02\x03\x04\x1a\xe17:added.f1:\x026:added618:' + '\0'.repeat(15) + '\x01\x00\x508:added6.f1:\x007:dropped6:\x05\x06\x07\x08\x00\x01e');
  });

  it('round-trips random messages (deduplicated, port 0 dropped)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(v4, port), { maxLength: 60, selector: ([h, p]) => `${h}:${p}` }), fc.nat(255), (peers, flags) => {
        const added = peers.slice(0, 30).map(([h, p]) => ({ endpoint: ep(h, p), flags }));
        const dropped = peers.slice(30).map(([h, p]) => ep(h, p));
        expect(decodePexMessage(encodePexMessage({ added, dropped }))).toEqual({ added, dropped });
      }),
    );
  });

  it('refuses garbage and oversized lists with a ProtocolError, tolerates bad flags', () => {
    const bad = [Buffer.from('x'), bencode([1]), bencode({ added: 5 }), bencode({ added: new Uint8Array(7) }), bencode({ added6: new Uint8Array(17) }), bencode({ added: new Uint8Array(6 * 201) })];
    for (const b of bad) expect(() => decodePexMessage(b)).toThrow(ProtocolError);
    const m = decodePexMessage(bencode({ added: Uint8Array.from([1, 2, 3, 4, 0, 9, 1, 2, 3, 4, 0, 9, 9, 9, 9, 9, 0, 0]), 'added.f': new Uint8Array(1) }));
    expect(m.added).toEqual([{ endpoint: ep('1.2.3.4', 9), flags: 0 }]); // duplicate and port 0 dropped, bad flags ignored
  });

  it('never throws anything but a ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }).map((u) => bencode({ added: u, 'added.f': u, dropped6: u }))), (b) => {
        try {
          const m = decodePexMessage(b);
          for (const p of m.added) expect(p.endpoint.port).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('PexSender', () => {
  const peers = (n: number, base = 0): PexPeer[] => Array.from({ length: n }, (_, i) => ({ endpoint: ep(`10.0.${(base + i) >> 8}.${(base + i) & 255}`, 6881), flags: 0 }));

  it('sends additions, then only changes, at most once a minute and never the peer itself', () => {
    const s = new PexSender(ep('10.0.0.0', 6881));
    const first = s.next(peers(3), 0)!;
    expect(first.added.map((p) => p.endpoint.host)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(s.next(peers(4), 59_999)).toBeUndefined(); // too soon
    const second = s.next(peers(4).slice(2), 60_000)!;
    expect(second.added.map((p) => p.endpoint.host)).toEqual(['10.0.0.3']);
    expect(second.dropped.map((e) => e.host)).toEqual(['10.0.0.1']);
    expect(s.next(peers(4).slice(2), 200_000)).toBeUndefined(); // nothing changed
  });

  it('caps added and dropped at 50 per message and catches up later', () => {
    const s = new PexSender(undefined, 1000);
    expect(s.next(peers(120), 0)!.added.length).toBe(50);
    expect(s.next(peers(120), 1000)!.added.length).toBe(50);
    expect(s.next(peers(120), 2000)!.added.length).toBe(20);
    const m = s.next([], 3000)!;
    expect(m.dropped.length).toBe(50);
    expect(m.added.length).toBe(0);
  });
});

class FakePeer implements ExtensionPeer {
  sent: Uint8Array[] = [];
  closedWith: Error | undefined;
  remoteExtensionHandshake: DecodedExtensionHandshake | undefined;
  constructor(readonly outgoing: boolean) {}
  extended(name: string, payload: Uint8Array): boolean {
    if (name === 'ut_pex') this.sent.push(payload);
    return true;
  }
  close(reason?: Error): void {
    this.closedWith = reason;
  }
}

const hs = (p?: number): DecodedExtensionHandshake => ({ m: new Map([['ut_pex', 3]]), raw: new Map(), ...(p === undefined ? {} : { p }) });

describe('PexExtension', () => {
  it('tells each peer about the others by listen endpoint, and emits what peers tell it', () => {
    let now = 0;
    const pex = new PexExtension({ now: () => now });
    const a = new FakePeer(true);
    const b = new FakePeer(false);
    const c = new FakePeer(false);
    pex.onExtensionHandshake(a, ep('127.0.0.1', 5000), hs());
    pex.onExtensionHandshake(b, ep('127.0.0.2', 41234), hs(6000)); // incoming: the handshake's p is its port
    pex.onExtensionHandshake(c, ep('127.0.0.3', 41235), hs()); // incoming, no p: not advertised
    pex.flush();
    expect(decodePexMessage(a.sent[0]!).added.map((p) => p.endpoint)).toEqual([ep('127.0.0.2', 6000)]);
    expect(decodePexMessage(b.sent[0]!).added).toEqual([{ endpoint: ep('127.0.0.1', 5000), flags: PEX_FLAG.reachable }]);
    expect(c.sent.length).toBe(1);

    const got: Endpoint[][] = [];
    pex.on('peers', (p) => got.push(p));
    pex.onMessage(a, encodePexMessage({ added: [{ endpoint: ep('127.0.0.9', 7000), flags: 0 }], dropped: [] }));
    now = 1000;
    pex.onMessage(a, encodePexMessage({ added: [{ endpoint: ep('127.0.0.8', 7000), flags: 0 }], dropped: [] })); // too fast
    expect(got).toEqual([[ep('127.0.0.9', 7000)]]);
    expect(pex.ignored).toBe(1);

    pex.onClose(b);
    now = 60_000;
    pex.flush();
    expect(decodePexMessage(a.sent[1]!).dropped).toEqual([ep('127.0.0.2', 6000)]);
  });

  it('closes a peer that sends garbage, and lives on', () => {
    const pex = new PexExtension();
    const a = new FakePeer(true);
    pex.onExtensionHandshake(a, ep('127.0.0.1', 5000), hs());
    pex.onMessage(a, Buffer.from('not bencode'));
    expect(a.closedWith).toBeInstanceOf(ProtocolError);
  });
});
