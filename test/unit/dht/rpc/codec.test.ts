/** DHT message codec: round trips for every type, strict rejection of malformed input. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { dhtCodec, MAX_DATAGRAM } from '../../../../dht/rpc/codec.ts';
import type { DhtRequest, DhtResponse } from '../../../../dht/rpc/messages.ts';
import { requestFromWire, requestToWire } from '../../../../dht/rpc/messages.ts';
import { RING_SIZE } from '../../../../src/naming/id160.ts';
import { DIGEST_CHUNK } from '../../../../dht/core/anti-entropy.ts';

const packr = new Packr({ useRecords: false, moreTypes: false });
const codec = dhtCodec();

const anyId = fc.bigInt({ min: 0n, max: RING_SIZE - 1n });
const optId = fc.option(anyId, { nil: null });
const ipv4 = fc.ipV4();
const port = fc.integer({ min: 1, max: 65535 });
const node = fc.record({ id: anyId, host: ipv4, port });
const nodes = fc.array(node, { maxLength: 8 });
const bytes = fc.uint8Array({ maxLength: 200 });
const ttl = fc.integer({ min: 1, max: 3_600_000 });

/** Valid finger runs: increasing, non-overlapping index ranges in [0, 160). */
const fingerRuns = fc
  .uniqueArray(fc.integer({ min: 0, max: 159 }), { maxLength: 16 })
  .chain((cuts) => {
    const s = [...cuts].sort((a, b) => a - b);
    const ranges = s.map((from, i) => ({ from, to: i + 1 < s.length ? s[i + 1]! - 1 : 159 }));
    return fc.tuple(...ranges.map((r) => node.map((n) => ({ ...r, node: n }))));
  })
  .map((runs) => [...runs]);

const request: fc.Arbitrary<DhtRequest> = fc.oneof(
  fc.record({ t: fc.constant('ping' as const), from: optId }),
  fc.record({ t: fc.constant('neighbors' as const), from: optId }),
  fc.record({ t: fc.constant('fingers' as const), from: optId }),
  fc.record({ t: fc.constant('notify' as const), from: anyId }),
  fc.record({ t: fc.constant('find' as const), from: optId, key: anyId }),
  fc.record({ t: fc.constant('get' as const), from: optId, key: anyId }),
  fc.record({ t: fc.constant('leave' as const), from: anyId, predecessor: fc.option(node, { nil: null }), successors: nodes }),
  fc.record({ t: fc.constant('put' as const), from: optId, key: anyId, value: bytes, ttlMs: ttl, replica: fc.boolean() }),
  fc.record({ t: fc.constant('announce' as const), from: optId, infohash: anyId, port, ttlMs: ttl }),
  fc.record({ t: fc.constant('get_peers' as const), from: optId, infohash: anyId }),
  fc.record({ t: fc.constant('sync' as const), from: anyId, digest: fc.array(fc.record({ key: anyId, fp: fc.integer({ min: 0, max: 0xffffffff }) }), { maxLength: 40 }) }),
);

const response: fc.Arbitrary<DhtResponse> = fc.oneof(
  fc.record({ t: fc.constant('pong' as const), id: anyId }),
  fc.record({ t: fc.constant('route' as const), found: node, backups: nodes }),
  fc.record({ t: fc.constant('route' as const), forward: nodes }),
  fc.record({ t: fc.constant('neighbors' as const), predecessor: fc.option(node, { nil: null }), successors: nodes }),
  fc.record({ t: fc.constant('fingers' as const), fingers: fingerRuns }),
  fc.record({ t: fc.constant('ok' as const) }),
  fc.record({ t: fc.constant('values' as const), values: fc.array(bytes, { maxLength: 4 }) }),
  fc.record({ t: fc.constant('peers' as const), peers: fc.array(fc.record({ host: ipv4, port }), { maxLength: 10 }) }),
  fc.record({ t: fc.constant('missing' as const), keys: fc.array(anyId, { maxLength: 40 }) }),
  fc.record({ t: fc.constant('error' as const), code: fc.constantFrom('NOT_OWNER', 'FULL') }),
);

describe('dht codec', () => {
  it('round-trips every request type', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), request, (tid, req) => {
        expect(codec.decode(codec.encodeRequest(tid, req))).toEqual({ kind: 'request', tid, message: req });
      }),
    );
  });

  it('round-trips every response type', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), response, (tid, res) => {
        expect(codec.decode(codec.encodeResponse(tid, res))).toEqual({ kind: 'response', tid, message: res });
      }),
    );
  });

  it('random bytes never throw and almost never decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (buf) => {
        expect(() => codec.decode(buf)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('random msgpack structures decode only to valid messages', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.anything({ withTypedArray: true, withMap: false }), (kind, v) => {
        const d = codec.decode(packr.pack([kind, 7, v]));
        if (d) expect(['request', 'response']).toContain(d.kind);
      }),
      { numRuns: 1000 },
    );
  });

  it('a one-field mutation of a valid request is rejected or still valid, never thrown', () => {
    fc.assert(
      fc.property(request, fc.string(), fc.anything(), (req, key, junk) => {
        const wire = { ...requestToWire(req) } as Record<string, unknown>;
        const keys = Object.keys(wire);
        wire[keys[key.length % keys.length]!] = junk;
        expect(() => requestFromWire(wire)).not.toThrow();
      }),
    );
  });

  it('rejects specific bad inputs', () => {
    const enc = (m: unknown): Uint8Array => packr.pack([0, 1, m]);
    const bad: unknown[] = [
      { t: 'launch_missiles' },
      { t: 'find', f: null, k: new Uint8Array(19) }, // short id
      { t: 'find', f: null, k: 'ab'.repeat(20) }, // hex string, not bytes
      { t: 'notify', f: null }, // notify needs a sender id
      { t: 'put', f: null, k: new Uint8Array(20), v: new Uint8Array(2000), ttl: 10, rep: false }, // oversized value
      { t: 'put', f: null, k: new Uint8Array(20), v: new Uint8Array(2), ttl: 0, rep: false }, // zero ttl
      { t: 'announce', f: null, k: new Uint8Array(20), port: 70000, ttl: 10 },
      { t: 'leave', f: new Uint8Array(20), p: null, s: Array(40).fill([new Uint8Array(20), '1.2.3.4', 1]) }, // too many
      { t: 'leave', f: new Uint8Array(20), p: [new Uint8Array(20), 'evil.example', 1], s: [] }, // hostname
      { t: 'sync', f: new Uint8Array(20), d: [[new Uint8Array(20), -1]] }, // negative fingerprint
      { t: 'sync', f: new Uint8Array(20), d: [[new Uint8Array(20), 2 ** 32]] }, // fingerprint beyond 32 bits
      { t: 'sync', f: new Uint8Array(20), d: Array(49).fill([new Uint8Array(20), 1]) }, // digest too long
      { t: 'sync', f: null, d: [] }, // sync needs a sender id
      [1, 2, 3],
      null,
    ];
    for (const m of bad) expect(codec.decode(enc(m))).toBeUndefined();
    expect(codec.decode(packr.pack([2, 1, { t: 'ok' }]))).toBeUndefined(); // unknown kind
    expect(codec.decode(new Uint8Array(MAX_DATAGRAM + 1))).toBeUndefined();
  });

  it('a full anti-entropy chunk (worst-case ids and fingerprints) fits in one datagram', () => {
    const digest = Array.from({ length: DIGEST_CHUNK }, () => ({ key: RING_SIZE - 1n, fp: 0xffffffff }));
    const buf = codec.encodeRequest(0xffffffff, { t: 'sync', from: RING_SIZE - 1n, digest });
    expect(buf.length).toBeLessThanOrEqual(MAX_DATAGRAM);
    expect(codec.decode(buf)).toBeDefined();
    const res = codec.encodeResponse(0xffffffff, { t: 'missing', keys: digest.map((d) => d.key) });
    expect(res.length).toBeLessThanOrEqual(MAX_DATAGRAM);
  });
});
