import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bencode } from '../../../../src/codec/bencode.ts';
import { sha1 } from '../../../../src/codec/metainfo.ts';
import { ProtocolError } from '../../../../src/errors.ts';
import {
  METADATA_PIECE_SIZE,
  MetadataFetcher,
  decodeMetadataMessage,
  encodeMetadataMessage,
  serveMetadataRequest,
} from '../../../../peer/ext/ut-metadata.ts';

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
};

function infoOf(size: number, seed = 1): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('ut_metadata codec', () => {
  it('encodes the BEP 9 examples byte for byte', () => {
    expect(Buffer.from(encodeMetadataMessage({ type: 'request', piece: 0 })).toString()).toBe('d8:msg_typei0e5:piecei0ee');
    expect(Buffer.from(encodeMetadataMessage({ type: 'reject', piece: 0 })).toString()).toBe('d8:msg_typei2e5:piecei0ee');
    const data = encodeMetadataMessage({ type: 'data', piece: 0, totalSize: 3425, data: new Uint8Array([120, 121]) });
    expect(Buffer.from(data).toString()).toBe('d8:msg_typei1e5:piecei0e10:total_sizei3425eexy');
  });

  it('round-trips every message kind', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ type: fc.constant('request' as const), piece: fc.nat(512) }),
          fc.record({ type: fc.constant('reject' as const), piece: fc.nat(512) }),
          fc.record({ type: fc.constant('data' as const), piece: fc.nat(512), totalSize: fc.nat(), data: fc.uint8Array({ maxLength: 100 }) }),
        ),
        (m) => {
          expect(decodeMetadataMessage(encodeMetadataMessage(m))).toEqual(m);
        },
      ),
    );
  });

  it('ignores unknown message types (BEP 9) and refuses malformed ones with a ProtocolError', () => {
    expect(decodeMetadataMessage(bencode({ msg_type: 7, piece: 0 }))).toEqual({ type: 'unknown', msgType: 7 });
    const bad = [
      new Uint8Array(0),
      Buffer.from('garbage'),
      bencode([1, 2]),
      bencode({ piece: 0 }),
      bencode({ msg_type: 0 }),
      bencode({ msg_type: 0, piece: -1 }),
      bencode({ msg_type: 0, piece: 'x' }),
      bencode({ msg_type: 1, piece: 0 }),
      concat(bencode({ msg_type: 0, piece: 0 }), new Uint8Array([1])),
      concat(bencode({ msg_type: 1, piece: 0, total_size: 99999 }), new Uint8Array(METADATA_PIECE_SIZE + 1)),
    ];
    for (const b of bad) expect(() => decodeMetadataMessage(b), Buffer.from(b).toString('latin1')).toThrow(ProtocolError);
  });

  it('never throws anything but a ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string().map((s) => Buffer.from(`d8:msg_typei1e5:piecei0e${s}`))), (b) => {
        try {
          decodeMetadataMessage(b);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('serves pieces and rejects when it has no metadata or the piece does not exist', () => {
    const info = infoOf(METADATA_PIECE_SIZE + 10);
    expect(serveMetadataRequest(undefined, 0)).toEqual({ type: 'reject', piece: 0 });
    expect(serveMetadataRequest(info, 2)).toEqual({ type: 'reject', piece: 2 });
    const last = serveMetadataRequest(info, 1);
    expect(last.type === 'data' && last.data.length).toBe(10);
    expect(last.type === 'data' && last.totalSize).toBe(info.length);
  });
});

/** Runs a fetcher against honest (or lying) in-memory peers until nothing more happens. */
function run(f: MetadataFetcher<string>, serve: Record<string, Uint8Array | undefined>, now = 0): { info?: Uint8Array; banned: string[] } {
  const banned: string[] = [];
  for (let round = 0; round < 1000; round++) {
    const reqs = f.requests(now);
    if (reqs.length === 0) break;
    for (const { peer, piece } of reqs) {
      const m = serveMetadataRequest(serve[peer], piece);
      if (m.type === 'reject') f.onReject(peer, piece);
      else {
        const r = f.onData(peer, m.piece, m.totalSize, m.data);
        if (r.kind === 'done') return { info: r.info, banned };
        if (r.kind === 'mismatch') banned.push(...(r.ban as string[]));
        if (r.kind === 'bad') banned.push(peer);
      }
    }
  }
  return { banned };
}

describe('MetadataFetcher', () => {
  const size = 3 * METADATA_PIECE_SIZE + 100;
  const info = infoOf(size);
  const infoHash = sha1(info);

  it('assembles the info dict from several peers and verifies it', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    expect(f.addPeer('a', size)).toBe(true);
    expect(f.addPeer('b', size)).toBe(true);
    const first = f.requests(0);
    expect(new Set(first.map((r) => r.peer))).toEqual(new Set(['a', 'b'])); // spread over peers
    expect(first.map((r) => r.piece).sort()).toEqual([0, 1, 2, 3]);
    for (const r of first) {
      const m = serveMetadataRequest(info, r.piece);
      if (m.type === 'data') f.onData(r.peer, m.piece, m.totalSize, m.data);
    }
    expect(f.done).toBe(true);
    expect(f.info).toEqual(info);
  });

  it('refuses absurd sizes', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    expect(f.addPeer('a', 0)).toBe(false);
    expect(f.addPeer('a', 9 * 1024 * 1024)).toBe(false);
    expect(f.addPeer('a', 1.5)).toBe(false);
    expect(f.requests(0)).toEqual([]);
  });

  it('asks another peer after a reject', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    f.addPeer('empty', size);
    f.addPeer('full', size);
    const r = run(f, { empty: undefined, full: info });
    expect(r.info).toEqual(info);
    expect(r.banned).toEqual([]);
  });

  it('re-requests from another peer after a timeout', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1, requestTimeoutMs: 1000 });
    f.addPeer('silent', size);
    const first = f.requests(0);
    expect(first.length).toBe(4);
    f.addPeer('good', size);
    expect(f.requests(500).length).toBe(0); // the silent peer still has them all
    const later = f.requests(1000);
    expect(later.every((r) => r.peer === 'good')).toBe(true);
    expect(later.length).toBe(4);
  });

  it('a liar among honest peers: mismatch, then single-source attempts ban exactly the liar', () => {
    const lie = infoOf(size, 99);
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    f.addPeer('liar', size);
    f.addPeer('h1', size);
    f.addPeer('h2', size);
    const r = run(f, { liar: lie, h1: info, h2: info });
    expect(r.info).toEqual(info);
    expect(f.mismatches).toBeGreaterThanOrEqual(1);
    expect(r.banned).not.toContain('h1');
    expect(r.banned).not.toContain('h2');
  });

  it('a sole liar is banned and nothing is accepted', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    f.addPeer('liar', size);
    const r = run(f, { liar: infoOf(size, 5) });
    expect(r.info).toBeUndefined();
    expect(r.banned).toEqual(['liar']);
    expect(f.peerCount).toBe(0);
  });

  it('bans a peer whose data does not match what it advertised', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    f.addPeer('a', size);
    f.requests(0);
    expect(f.onData('a', 0, size + 1, new Uint8Array(METADATA_PIECE_SIZE)).kind).toBe('bad');
    f.addPeer('b', size);
    f.requests(0);
    expect(f.onData('b', 0, size, new Uint8Array(5)).kind).toBe('bad');
    expect(f.peerCount).toBe(0);
  });

  it('the size most peers agree on wins the first attempt', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    f.addPeer('odd', 10);
    f.addPeer('a', size);
    f.addPeer('b', size);
    const reqs = f.requests(0);
    expect(reqs.every((r) => r.peer !== 'odd')).toBe(true);
    expect(run(f, { odd: new Uint8Array(10), a: info, b: info }, 20_000).info).toEqual(info); // after the unanswered ones time out
  });

  it('a departed peer frees its pieces for others', () => {
    const f = new MetadataFetcher<string>({ infoHash, sha1 });
    f.addPeer('gone', size);
    f.requests(0);
    f.removePeer('gone');
    f.addPeer('b', size);
    expect(run(f, { b: info }).info).toEqual(info);
  });

  it('random honest/lying/silent swarms: whatever it returns is the verified info dict', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('honest', 'liar', 'empty', 'short'), { minLength: 1, maxLength: 6 }), (kinds) => {
        const f = new MetadataFetcher<string>({ infoHash, sha1 });
        const serve: Record<string, Uint8Array | undefined> = {};
        kinds.forEach((k, i) => {
          const id = `${k}${i}`;
          f.addPeer(id, size);
          serve[id] = k === 'honest' ? info : k === 'liar' ? infoOf(size, i + 2) : k === 'short' ? infoOf(size - 1) : undefined;
        });
        const r = run(f, serve);
        // Buffer.equals: toEqual on 50 KB arrays costs milliseconds per call.
        if (r.info !== undefined) expect(Buffer.from(sha1(r.info)).equals(infoHash)).toBe(true);
        if (kinds.includes('honest')) expect(r.info !== undefined && Buffer.from(r.info).equals(info)).toBe(true);
        for (const b of r.banned) expect(b.startsWith('honest')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
