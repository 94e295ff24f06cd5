import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { once } from 'node:events';
import { bindUdp, type UdpSocket } from '../../../src/net/udp.ts';
import { hostThrottle } from '../../../src/net/throttle.ts';
import { Resolver } from '../../../src/naming/resolver.ts';
import { seededRandom } from '../../../src/random.ts';
import { TrackerServer } from '../../../tracker/server.ts';
import { TrackerClient } from '../../../tracker/client.ts';
import { UdpTracker } from '../../../tracker/udp-announce.ts';
import type { AnnounceParams } from '../../../tracker/http-announce.ts';
import * as udp from '../../../tracker/udp-protocol.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const IH = Uint8Array.from({ length: 20 }, (_, i) => 0x50 + i);
const params = (port: number): AnnounceParams => ({ infoHash: IH, peerId: Uint8Array.from({ length: 20 }, (_, i) => port + i), port, uploaded: 0n, downloaded: 0n, left: 10n, event: 'started', numwant: 50, key: 1 });

/**
 * A scriptable BEP 15 tracker: counts datagrams per action, can drop the first n, and accepts
 * only the connection id it issued last (so rotating it makes cached ids go stale).
 */
class FakeTracker {
  readonly seen: Record<string, number> = { connect: 0, announce: 0, scrape: 0 };
  dropFirst = 0;
  currentId = 1000n;
  /** Hand out ids but refuse every one of them. */
  refuseAll = false;
  private constructor(readonly sock: UdpSocket) {
    sock.on('message', (buf, from) => {
      const req = udp.decodeRequest(buf);
      if (!req) return;
      this.seen[req.action] = (this.seen[req.action] ?? 0) + 1;
      if (this.dropFirst > 0) {
        this.dropFirst--;
        return;
      }
      let out: Uint8Array;
      if (req.action === 'connect') out = udp.encodeConnectResponse(req.transactionId, this.currentId);
      else if (this.refuseAll || req.connectionId !== this.currentId) out = udp.encodeErrorResponse(req.transactionId, 'invalid or expired connection id');
      else if (req.action === 'announce') out = udp.encodeAnnounceResponse(req.transactionId, 60, 1, 2, Uint8Array.of(127, 0, 0, 1, 0x1a, 0xe1));
      else out = udp.encodeScrapeResponse(req.transactionId, [{ seeders: 2, completed: 5, leechers: 1 }]);
      void sock.send(out, from);
    });
  }
  static async open(): Promise<FakeTracker> {
    return new FakeTracker(await bindUdp({ host: '127.0.0.1' }));
  }
  get url(): string {
    return `udp://127.0.0.1:${this.sock.local.port}`;
  }
}

let fake: FakeTracker;
const trackers: UdpTracker[] = [];
function tracker(...a: ConstructorParameters<typeof UdpTracker>): UdpTracker {
  const t = new UdpTracker(a[0], { bindHost4: '127.0.0.1', baseTimeoutMs: 60, attempts: 3, ...a[1] });
  trackers.push(t);
  return t;
}

beforeAll(async () => {
  fake = await FakeTracker.open();
});
afterAll(() => fake.sock.close());
afterEach(() => {
  for (const t of trackers.splice(0)) t.close();
  fake.seen.connect = fake.seen.announce = fake.seen.scrape = 0;
  fake.dropFirst = 0;
  fake.refuseAll = false;
});

describe('UdpTracker over UdpRpc', () => {
  it('retries when the tracker drops the first datagram (same tid, doubled timeout)', async () => {
    fake.dropFirst = 1;
    const t = tracker();
    const r = await t.announce(fake.url, params(7000));
    expect(r).toMatchObject({ interval: 60, complete: 2, incomplete: 1, peers: [{ host: '127.0.0.1', port: 6881 }] });
    expect(fake.seen).toMatchObject({ connect: 2, announce: 1 });
  });

  it('gives up with a typed TimeoutError naming the step', async () => {
    fake.dropFirst = 100;
    const t = tracker({}, { attempts: 2, baseTimeoutMs: 30 });
    await expect(t.announce(fake.url, params(7001))).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/connect request/) });
    expect(fake.seen.connect).toBe(2);
  });

  it('reuses a connection id for up to a minute, then connects again', async () => {
    const clock = new ManualClock(1_000_000);
    const t = tracker({ now: clock.now });
    await t.announce(fake.url, params(7002));
    clock.advance(59_000);
    await t.scrape(fake.url, IH);
    expect(fake.seen).toMatchObject({ connect: 1, announce: 1, scrape: 1 });
    clock.advance(1_000);
    await t.announce(fake.url, params(7002));
    expect(fake.seen).toMatchObject({ connect: 2, announce: 2 });
  });

  it('a cached id the tracker refuses is replaced once; a fresh id refused is an error', async () => {
    const t = tracker();
    await t.announce(fake.url, params(7003));
    fake.currentId++; // the tracker's key rotated: our cached id is stale
    expect(await t.scrape(fake.url, IH)).toEqual({ complete: 2, incomplete: 1, downloaded: 5 });
    expect(t.stats).toEqual({ connects: 2, reconnects: 1 });
    // A tracker that refuses even a fresh id: one reconnect, not a loop.
    fake.refuseAll = true;
    try {
      await expect(t.announce(fake.url, params(7003))).rejects.toMatchObject({ code: 'TRACKER', message: 'tracker says: invalid or expired connection id' });
    } finally {
      fake.refuseAll = false;
    }
    expect(t.stats).toEqual({ connects: 3, reconnects: 2 });
    expect(fake.seen).toMatchObject({ connect: 3, announce: 3, scrape: 2 });
  });

  it('names resolve through the Resolver (static hosts map), never the system DNS', async () => {
    const lookups: string[] = [];
    const resolver = new Resolver({ hosts: { 'tracker.lab': '127.0.0.1' }, lookup: async (h) => (lookups.push(h), Promise.reject(new Error('no DNS in tests'))) });
    const t = tracker({ resolver });
    const r = await t.announce(`udp://tracker.lab:${fake.sock.local.port}`, params(7004));
    expect(r.peers).toHaveLength(1);
    expect(lookups).toEqual([]);
    await expect(t.announce(`udp://unknown.lab:${fake.sock.local.port}`, params(7004))).rejects.toMatchObject({ code: 'RESOLVE' });
    expect(lookups).toEqual(['unknown.lab']);
  });

  it('abort rejects at once with AbortedError', async () => {
    fake.dropFirst = 100;
    const t = tracker({}, { baseTimeoutMs: 10_000 });
    const ac = new AbortController();
    const p = t.announce(fake.url, params(7005), { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('TrackerClient on the shared layers', () => {
  let server: TrackerServer;
  beforeAll(async () => {
    server = new TrackerServer({ random: seededRandom(9) }, { host: '127.0.0.1', port: 0, interval: 60 });
    await server.start();
  });
  afterAll(() => server.stop());

  for (const kind of ['udp', 'http'] as const) {
    it(`${kind}: announces pass through the host's throttle and name the tracker via the Resolver`, async () => {
      const throttle = hostThrottle({ up: 1_000_000, down: 1_000_000 });
      const resolver = new Resolver({ hosts: { 'tracker.lab': '127.0.0.1' }, lookup: () => Promise.reject(new Error('no DNS in tests')) });
      const url = kind === 'udp' ? `udp://tracker.lab:${server.port}` : `http://tracker.lab:${server.port}/announce`;
      const c = new TrackerClient(
        { stats: () => ({ uploaded: 0n, downloaded: 0n, left: 5n }), random: seededRandom(1), throttle, resolver },
        { infoHash: IH, peerId: Uint8Array.from({ length: 20 }, (_, i) => 90 + i), port: 20100, announceList: [[url]], udpTimeoutMs: 200 },
      );
      c.start();
      const [info] = (await once(c, 'announced')) as [{ url: string }];
      expect(info.url).toBe(url);
      if (kind === 'udp') {
        // connect (16) + announce (98) up; connect reply (16) + announce reply (20, no peers) down.
        expect(throttle.up.granted).toBe(16 + 98);
        expect(throttle.down.granted).toBe(16 + 20);
      } else {
        // A GET line with a 20-byte info_hash percent-encoded, headers; a bencoded reply back.
        expect(throttle.up.granted).toBeGreaterThan(150);
        expect(throttle.down.granted).toBeGreaterThan(50);
      }
      await c.stop();
    });
  }

  it('torrents of one process share an injected UdpTracker: one socket, one connect', async () => {
    const shared = new UdpTracker({}, { bindHost4: '127.0.0.1', baseTimeoutMs: 200, attempts: 3 });
    const mk = (n: number): TrackerClient =>
      new TrackerClient(
        { stats: () => ({ uploaded: 0n, downloaded: 0n, left: 5n }), random: seededRandom(n), udp: shared },
        { infoHash: Uint8Array.from({ length: 20 }, (_, i) => n + i), peerId: Uint8Array.from({ length: 20 }, (_, i) => 40 + n + i), port: 20200 + n, announceList: [[server.announceUrls.udp]] },
      );
    const [a, b] = [mk(1), mk(2)];
    a.start();
    await once(a, 'announced');
    b.start();
    await once(b, 'announced');
    await a.stop();
    await b.stop();
    expect(shared.stats.connects).toBe(1);
    expect(await shared.sockets()).toHaveLength(1);
    expect((await shared.sockets())[0]?.closed).toBe(false); // not the clients' to close
    shared.close();
  });
});
