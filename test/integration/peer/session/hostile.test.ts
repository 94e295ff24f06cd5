/**
 * Hostile peers on real sockets: each misbehaviour is dropped or banned with a reason, the
 * download still completes from the honest seeder, and the client lives on.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Torrent } from '../../../../peer/session/torrent.ts';
import { encodeHandshake, reservedBytes } from '../../../../peer/wire/handshake.ts';
import { encodeMessage } from '../../../../peer/wire/messages.ts';
import { generatePeerId } from '../../../../peer/wire/peer-id.ts';
import { Wire } from '../../../../peer/wire/wire.ts';
import { dial, listen, type Connection } from '../../../../src/net/transport.ts';
import { hostThrottle } from '../../../../src/net/throttle.ts';
import { seededRandom } from '../../../../src/random.ts';
import { client, local, sameFiles, sessionCleanup, type Fixture } from './swarm-fixture.ts';

const session = sessionCleanup();
const { started, defer } = session;
const fixture = (): Promise<Fixture> => session.fixture([150_000, 90_001], 32 * 1024);
const random = seededRandom(7);


type Behaviour = (wire: Wire, conn: Connection, pieceCount: number) => void;

/** A fake seeder that completes the handshake and then misbehaves. */
async function hostileSeeder(f: Fixture, behave: Behaviour, answerHash?: Uint8Array): Promise<{ host: string; port: number }> {
  const n = f.metainfo.pieceCount;
  const l = await listen({
    host: '127.0.0.1',
    port: 0,
    onConnection: (conn) => {
      if (answerHash) {
        // Answer for another torrent, raw.
        conn.onData(() => undefined);
        void conn.write(encodeHandshake({ reserved: reservedBytes({}), infoHash: answerHash, peerId: generatePeerId(random) })).catch(() => undefined);
        return;
      }
      const wire = new Wire(conn, { peerId: generatePeerId(random), acceptInfoHash: () => ({ pieceCount: n }) });
      wire.on('close', () => undefined);
      wire.once('handshake', () => behave(wire, conn, n));
      wire.start();
    },
  });
  defer(() => l.close());
  return { host: '127.0.0.1', port: l.port };
}

const fullBits = (n: number) => {
  const b = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) b[i >> 3]! |= 0x80 >> (i & 7);
  return b;
};

async function leechWith(f: Fixture, hostile: { host: string; port: number }, extra: Partial<Parameters<typeof client>[0]> = {}, seedRate = 400 * 1024) {
  // The honest seeder is slow enough that the hostile peer gets a say.
  const seeder = started(client({ throttle: hostThrottle({ up: seedRate }) }));
  await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
  const leecher = started(client(extra));
  const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [hostile, local(seeder)] });
  const log = record(t);
  await t.whenDone(AbortSignal.timeout(10_000));
  expect(await sameFiles(f, join(f.root, 'leech'))).toBe(true);
  return { t, log, key: `${hostile.host}:${hostile.port}` };
}

function record(t: Torrent) {
  const banned: [string, string][] = [];
  const dropped: [string, string | undefined][] = [];
  t.on('peer-banned', (a, r) => banned.push([a, r]));
  t.on('peer-disconnected', (a, r) => dropped.push([a, r]));
  return { banned, dropped };
}

describe('hostile peers', () => {
  it('a peer answering with the wrong infohash is banned', async () => {
    const f = await fixture();
    const h = await hostileSeeder(f, () => undefined, new Uint8Array(20).fill(9));
    const { log, key } = await leechWith(f, h);
    expect(log.banned.find(([a]) => a === key)?.[1]).toMatch(/infohash/);
  });

  it('an oversized length prefix gets the peer banned', async () => {
    const f = await fixture();
    const h = await hostileSeeder(f, (w, conn) => {
      w.bitfield(fullBits(f.metainfo.pieceCount));
      void conn.write(Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 7)).catch(() => undefined);
    });
    const { log, key } = await leechWith(f, h);
    expect(log.banned.find(([a]) => a === key)?.[1]).toMatch(/exceeds/);
  });

  it('a piece we did not request gets the peer banned', async () => {
    const f = await fixture();
    const h = await hostileSeeder(f, (w) => {
      w.bitfield(fullBits(f.metainfo.pieceCount));
      w.piece(0, 0, new Uint8Array(16384));
    });
    const { log, key } = await leechWith(f, h);
    expect(log.banned.find(([a]) => a === key)?.[1]).toMatch(/did not request/);
  });

  it('data failing the hash: the sender is banned after two failures', async () => {
    const f = await fixture();
    const failed: number[] = [];
    const h = await hostileSeeder(f, (w) => {
      w.bitfield(fullBits(f.metainfo.pieceCount));
      w.unchoke();
      w.on('request', (r) => w.piece(r.index, r.begin, new Uint8Array(r.length).fill(0xab)));
    });
    const seeder = started(client({ throttle: hostThrottle({ up: 200 * 1024 }) }));
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const leecher = started(client());
    const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [h, local(seeder)] });
    const log = record(t);
    t.on('hash-failed', (p) => failed.push(p));
    await t.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f, join(f.root, 'leech'))).toBe(true);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(log.banned.find(([a]) => a === `${h.host}:${h.port}`)?.[1]).toMatch(/hash/);
    // The honest seeder is never blamed.
    expect(log.banned.find(([a]) => a === `127.0.0.1:${seeder.port}`)).toBeUndefined();
    expect(t.stats().wasted).toBeGreaterThan(0);
  });

  it('a HAVE flood with invalid indexes gets the peer banned', async () => {
    const f = await fixture();
    const h = await hostileSeeder(f, (w, _c, n) => {
      for (let i = 0; i < 100; i++) w.have(n + i);
    });
    const { log, key } = await leechWith(f, h);
    expect(log.banned.find(([a]) => a === key)?.[1]).toMatch(/out of range/);
  });

  it('a peer stalling mid-message is dropped by the idle timeout', async () => {
    const f = await fixture();
    const h = await hostileSeeder(f, (w, conn) => {
      w.bitfield(fullBits(f.metainfo.pieceCount));
      w.unchoke();
      // Half a PIECE message, then silence.
      void conn.write(encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(16384) }).subarray(0, 100)).catch(() => undefined);
    });
    const { log, key } = await leechWith(f, h, { idleTimeoutMs: 500, requestTimeoutMs: 400 }, 150 * 1024);
    expect(log.dropped.find(([a]) => a === key)?.[1]).toMatch(/stalled mid-message/);
  });

  it('a leecher requesting beyond the piece or the file is banned; the seeder serves on', async () => {
    const f = await fixture();
    const seeder = started(client());
    const seed = await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const log = record(seed);
    const n = f.metainfo.pieceCount;
    for (const bad of [
      { index: 0, begin: 32 * 1024 - 100, length: 16384 }, // beyond the piece
      { index: n - 1, begin: 16384 * 2, length: 16384 }, // beyond the file's end (short last piece)
    ]) {
      const conn = await dial(local(seeder));
      const w = new Wire(conn, { peerId: generatePeerId(random), infoHash: f.metainfo.infoHash, pieceCount: n });
      const closed = new Promise<void>((r) => w.once('close', () => r()));
      w.once('handshake', () => w.interested());
      w.once('unchoke', () => w.request(bad));
      w.start();
      await closed;
    }
    expect(log.banned.filter(([, r]) => /beyond/.test(r)).length).toBe(2);
    // An honest leecher still completes.
    const leecher = started(client());
    const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [local(seeder)] });
    await t.whenDone(AbortSignal.timeout(10_000));
    expect(await sameFiles(f, join(f.root, 'leech'))).toBe(true);
  });

  it('an incoming handshake for an unknown infohash is refused; the client lives on', async () => {
    const f = await fixture();
    const seeder = started(client());
    await seeder.add(f.metainfo, { downloadDir: f.seedDir, seed: true, trackers: false });
    const conn = await dial(local(seeder));
    const closed = new Promise<void>((r) => conn.once('close', () => r()));
    conn.onData(() => undefined);
    await conn.write(encodeHandshake({ reserved: reservedBytes({}), infoHash: new Uint8Array(20).fill(3), peerId: generatePeerId(random) }));
    await closed;
    const leecher = started(client());
    const t = await leecher.add(f.metainfo, { downloadDir: join(f.root, 'leech'), trackers: false, peers: [local(seeder)] });
    await t.whenDone(AbortSignal.timeout(10_000));
  });
});
