import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import {
  decodeClientMessage,
  decodeServerMessage,
  encodeMessage,
  parseCommand,
  type ClientMessage,
} from '../../../src/control/protocol.ts';
import { ProtocolError } from '../../../src/errors.ts';
import { bitAt, bitsFrom, compactFingers, peerFlags } from '../../../src/control/snapshot.ts';

const packr = new Packr({ useRecords: false, moreTypes: false });
const hash = 'ab'.repeat(20);

describe('control protocol', () => {
  it('round-trips every client message', () => {
    const msgs: ClientMessage[] = [
      { t: 'subscribe' },
      { t: 'subscribe', intervalMs: 1000 },
      { t: 'unsubscribe' },
      { t: 'get' },
      { t: 'cmd', id: 7, cmd: { op: 'pause', infoHash: hash } },
      { t: 'cmd', id: 8, cmd: { op: 'resume', infoHash: hash } },
      { t: 'cmd', id: 9, cmd: { op: 'limits', down: 100, up: 0, infoHash: hash } },
      { t: 'cmd', id: 10, cmd: { op: 'limits' } },
      { t: 'cmd', id: 11, cmd: { op: 'add', source: 'magnet:?xt=urn:btih:' + hash, dir: '/tmp/x' } },
      { t: 'cmd', id: 12, cmd: { op: 'quit' } },
    ];
    for (const m of msgs) expect(decodeClientMessage(encodeMessage(m))).toEqual(m);
  });

  it('rejects malformed commands field by field', () => {
    const bad: unknown[] = [
      null, 3, 'pause', [], {}, { op: 'pause' }, { op: 'pause', infoHash: 'AB'.repeat(20) },
      { op: 'pause', infoHash: hash, extra: 1 }, { op: 'limits', down: -1 }, { op: 'limits', up: Number.NaN },
      { op: 'limits', down: '5' }, { op: 'add', source: '' }, { op: 'add', source: 'x'.repeat(5000) },
      { op: 'add', source: 'a', dir: 5 }, { op: 'quit', now: true }, { op: 'format-disk' },
    ];
    for (const b of bad) expect(() => parseCommand(b), JSON.stringify(b)).toThrow(ProtocolError);
  });

  it('rejects bad client envelopes', () => {
    const bad: unknown[] = [
      { t: 'subscribe', intervalMs: -1 }, { t: 'subscribe', intervalMs: 1.5 }, { t: 'get', x: 1 },
      { t: 'cmd', id: -1, cmd: { op: 'quit' } }, { t: 'cmd', id: 2 ** 32, cmd: { op: 'quit' } }, { t: 'nope' }, [1, 2],
    ];
    for (const b of bad) expect(() => decodeClientMessage(packr.pack(b)), JSON.stringify(b)).toThrow(ProtocolError);
    expect(() => decodeClientMessage(new Uint8Array([0xc1]))).toThrow(ProtocolError);
    expect(() => decodeClientMessage(new Uint8Array(0))).toThrow(ProtocolError);
    // Trailing bytes after a valid value are not a valid frame.
    const two = new Uint8Array([...packr.pack({ t: 'get' }), ...packr.pack(1)]);
    expect(() => decodeClientMessage(two)).toThrow(ProtocolError);
  });

  it('fuzz: any bytes either decode to a valid message or throw ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of [decodeClientMessage, decodeServerMessage]) {
          try {
            const m = decode(bytes);
            expect(typeof m.t).toBe('string');
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('fuzz: any msgpack value either validates or throws ProtocolError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ t: fc.constantFrom('subscribe', 'cmd', 'get', 'snapshot', 'hello'), id: fc.anything(), cmd: fc.anything(), intervalMs: fc.anything() }, { requiredKeys: ['t'] }),
        ),
        (v) => {
          let bytes: Uint8Array;
          try {
            bytes = packr.pack(v);
          } catch {
            return;
          }
          try {
            decodeClientMessage(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('server messages: snapshot checked at the top level', () => {
    const snap = { v: 1, seq: 1, at: 5, process: { kind: 'dht', pid: 4, started: 0 } };
    expect(decodeServerMessage(packr.pack({ t: 'snapshot', snapshot: snap })).t).toBe('snapshot');
    expect(() => decodeServerMessage(packr.pack({ t: 'snapshot', snapshot: { ...snap, v: 2 } }))).toThrow(ProtocolError);
    expect(() => decodeServerMessage(packr.pack({ t: 'snapshot', snapshot: { ...snap, process: { kind: 'x', pid: 1, started: 0 } } }))).toThrow(ProtocolError);
    expect(() => decodeServerMessage(packr.pack({ t: 'snapshot', snapshot: { ...snap, torrents: 5 } }))).toThrow(ProtocolError);
  });
});

describe('snapshot helpers', () => {
  const base = { amChoking: true, amInterested: false, peerChoking: true, peerInterested: false, optimistic: false, snubbed: false, incoming: false };
  it('peer flags in qBittorrent notation', () => {
    expect(peerFlags(base)).toBe('');
    expect(peerFlags({ ...base, amInterested: true })).toBe('d');
    expect(peerFlags({ ...base, amInterested: true, peerChoking: false })).toBe('D');
    expect(peerFlags({ ...base, peerInterested: true })).toBe('u');
    expect(peerFlags({ ...base, peerInterested: true, amChoking: false, optimistic: true, incoming: true })).toBe('UOI');
    expect(peerFlags({ ...base, peerChoking: false })).toBe('K');
    expect(peerFlags({ ...base, amChoking: false })).toBe('?');
    expect(peerFlags({ ...base, amInterested: true, peerChoking: false, snubbed: true })).toBe('DS');
  });

  it('bitfields: bitsFrom and bitAt agree', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 100 }), (bits) => {
        const bf = bitsFrom(bits.length, (i) => bits[i] === true);
        expect(bf.length).toBe(Math.ceil(bits.length / 8));
        bits.forEach((b, i) => expect(bitAt(bf, i)).toBe(b));
        expect(bitAt(bf, bits.length + 8)).toBe(false);
      }),
    );
    expect([...bitsFrom(9, (i) => i === 0 || i === 8)]).toEqual([0x80, 0x80]);
  });

  it('compactFingers merges runs of the same node', () => {
    const a = { id: 'a'.repeat(40), endpoint: '127.0.0.1:1' };
    const b = { id: 'b'.repeat(40), endpoint: '127.0.0.1:2' };
    expect(compactFingers([a, a, a, b, null, b, a])).toEqual([
      { from: 0, to: 2, node: a },
      { from: 3, to: 3, node: b },
      { from: 5, to: 5, node: b },
      { from: 6, to: 6, node: a },
    ]);
  });
});
