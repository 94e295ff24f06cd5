import { describe, it, expect, afterEach } from 'vitest';
import * as dgram from 'node:dgram';
import { BusyError, ClosedError, TimeoutError, AbortedError } from '../../../src/errors.ts';
import { bindUdp, type UdpSocket } from '../../../src/net/udp.ts';
import { UdpRpc } from '../../../src/net/udp-rpc.ts';
import { msgpackCodec } from '../../../src/net/msgpack-codec.ts';
import { hostThrottle } from '../../../src/net/throttle.ts';
import { seededRandom } from '../../../src/random.ts';

type Req = { op: string; n?: number };
type Res = { ok: boolean; n?: number };
const codec = msgpackCodec<Req, Res>();

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function sock(o: Parameters<typeof bindUdp>[0] = {}): Promise<UdpSocket> {
  const s = await bindUdp(o);
  cleanups.push(() => s.close());
  return s;
}

function rpc(s: UdpSocket, o: Partial<ConstructorParameters<typeof UdpRpc<Req, Res>>[0]> = {}): UdpRpc<Req, Res> {
  const r = new UdpRpc<Req, Res>({ socket: s, codec, baseTimeoutMs: 50, attempts: 3, random: seededRandom(7), ...o });
  cleanups.push(() => r.close());
  return r;
}

/** A server that answers {ok, n+1} but drops the first `drop` requests it sees. */
async function echoServer(drop = 0): Promise<{ s: UdpSocket; r: UdpRpc<Req, Res>; seen: () => number }> {
  const s = await sock();
  let seen = 0;
  const r = rpc(s, {
    handler: (req) => {
      seen++;
      if (seen <= drop) return undefined;
      return { ok: true, n: (req.n ?? 0) + 1 };
    },
  });
  return { s, r, seen: () => seen };
}

describe('UdpSocket', () => {
  it('sends and receives with the sender endpoint', async () => {
    const a = await sock();
    const b = await sock();
    const got = new Promise<[Uint8Array, { host: string; port: number }]>((r) => b.once('message', (buf, from) => r([buf, from])));
    await a.send(Uint8Array.of(1, 2, 3), b.local);
    const [buf, from] = await got;
    expect([...buf]).toEqual([1, 2, 3]);
    expect(from).toEqual(a.local);
    expect(a.local.host).toBe('127.0.0.1');
  });

  it('send after close rejects with ClosedError', async () => {
    const a = await sock();
    a.close();
    await expect(a.send(Uint8Array.of(1), { host: '127.0.0.1', port: 9 })).rejects.toBeInstanceOf(ClosedError);
  });

  it('sends are paced by the host up throttle', async () => {
    const a = await sock({ throttle: hostThrottle({ up: 100 * 1024 }) });
    const b = await sock();
    let n = 0;
    b.on('message', () => n++);
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) await a.send(new Uint8Array(1000), b.local); // 50 kB at 100 KiB/s
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(300);
    expect(ms).toBeLessThan(1000);
  });

  it('receives are paced by the host down throttle, bounded queue drops the excess', async () => {
    const a = await sock();
    const b = await sock({ throttle: hostThrottle({ down: 100 * 1024 }), maxQueued: 30 });
    let n = 0;
    const t0 = performance.now();
    let last = 0;
    b.on('message', () => {
      n++;
      last = performance.now() - t0;
    });
    for (let i = 0; i < 50; i++) await a.send(new Uint8Array(1000), b.local);
    await new Promise((r) => setTimeout(r, 600));
    expect(n + b.dropped).toBe(50);
    expect(b.dropped).toBeGreaterThan(0);
    expect(last).toBeGreaterThan(150); // 30+ kB at 100 KiB/s
  });
});

describe('UdpRpc', () => {
  it('request → response', async () => {
    const { s } = await echoServer();
    const c = rpc(await sock());
    expect(await c.request(s.local, { op: 'inc', n: 41 })).toEqual({ ok: true, n: 42 });
    expect(c.inFlight).toBe(0);
  });

  it('retries with backoff when the first datagrams are dropped', async () => {
    const { s, seen } = await echoServer(2);
    const c = rpc(await sock(), { attempts: 4 });
    const t0 = performance.now();
    expect(await c.request(s.local, { op: 'inc', n: 1 })).toEqual({ ok: true, n: 2 });
    const ms = performance.now() - t0;
    expect(seen()).toBe(3);
    expect(c.stats.retries).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(140); // 50 + 100 ms of backoff before the third attempt
    expect(ms).toBeLessThan(1000);
  });

  it('TimeoutError after the last retry against a silent server', async () => {
    const { s, seen } = await echoServer(Infinity);
    const c = rpc(await sock(), { attempts: 3 });
    const t0 = performance.now();
    const e = await c.request(s.local, { op: 'x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(340); // 50 + 100 + 200
    expect(seen()).toBe(3);
    expect(c.stats.timeouts).toBe(1);
  });

  it('caps requests in flight: queues beyond, BusyError beyond the queue', async () => {
    const { s, seen } = await echoServer(Infinity);
    const c = rpc(await sock(), { maxInFlight: 2, maxQueued: 1, attempts: 1, baseTimeoutMs: 100 });
    const ps = [c.request(s.local, { op: 'a' }), c.request(s.local, { op: 'b' }), c.request(s.local, { op: 'c' })].map((p) =>
      p.catch((e: unknown) => e),
    );
    expect(c.inFlight).toBe(2);
    expect(c.queued).toBe(1);
    await expect(c.request(s.local, { op: 'd' })).rejects.toBeInstanceOf(BusyError);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen()).toBe(2); // the queued one has not been sent yet
    const results = await Promise.all(ps);
    for (const r of results) expect(r).toBeInstanceOf(TimeoutError);
    expect(seen()).toBe(3);
  });

  it('abort rejects with AbortedError and frees the slot', async () => {
    const { s } = await echoServer(Infinity);
    const c = rpc(await sock(), { baseTimeoutMs: 5000 });
    const ac = new AbortController();
    const p = c.request(s.local, { op: 'x' }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    expect(c.inFlight).toBe(0);
  });

  it('ignores garbage datagrams and spoofed responses, then still works', async () => {
    const { s, r: server } = await echoServer();
    const c = rpc(await sock(), { baseTimeoutMs: 300, attempts: 1 });
    const raw = dgram.createSocket('udp4');
    cleanups.push(() => raw.close());
    await new Promise<void>((res) => raw.bind(0, '127.0.0.1', () => res()));
    const junk = [Buffer.alloc(0), Buffer.from([0xc1]), Buffer.from('hello'), codec.encodeRequest(1, { op: 'x' }).subarray(0, 3), Buffer.from([0x93, 2, 1, 0])];
    for (const j of junk) {
      raw.send(j, s.local.port, '127.0.0.1');
      raw.send(j, c.socket.local.port, '127.0.0.1');
    }
    const p = c.request(s.local, { op: 'inc', n: 1 });
    await new Promise((res) => setTimeout(res, 30));
    expect(await p).toEqual({ ok: true, n: 2 });
    expect(c.stats.garbage).toBe(junk.length);
    expect(server.stats.garbage).toBe(junk.length);
  });

  it('a response from the wrong address is ignored (tid AND source must match)', async () => {
    const target = await sock(); // never answers
    const c = rpc(await sock(), { baseTimeoutMs: 200, attempts: 1 });
    let tid = -1;
    target.on('message', (buf) => {
      const d = codec.decode(buf);
      if (d) tid = d.tid;
    });
    const p = c.request(target.local, { op: 'x' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    expect(tid).toBeGreaterThanOrEqual(0);
    const spoofer = await sock();
    await spoofer.send(codec.encodeResponse(tid, { ok: true }), c.socket.local);
    expect(await p).toBeInstanceOf(TimeoutError);
    expect(c.stats.unmatched).toBe(1);
  });

  it('both directions on one socket (DHT style)', async () => {
    const a = await sock();
    const b = await sock();
    const ra = rpc(a, { handler: () => ({ ok: true, n: 1 }) });
    const rb = rpc(b, { handler: () => ({ ok: true, n: 2 }) });
    const [x, y] = await Promise.all([ra.request(b.local, { op: 'q' }), rb.request(a.local, { op: 'q' })]);
    expect(x.n).toBe(2);
    expect(y.n).toBe(1);
  });

  it('a throwing handler is counted, not thrown', async () => {
    const s = await sock();
    const srv = rpc(s, {
      handler: () => {
        throw new Error('boom');
      },
    });
    const c = rpc(await sock(), { baseTimeoutMs: 50, attempts: 1 });
    await expect(c.request(s.local, { op: 'x' })).rejects.toBeInstanceOf(TimeoutError);
    expect(srv.stats.handlerErrors).toBe(1);
  });

  it('close rejects pending requests with ClosedError', async () => {
    const { s } = await echoServer(Infinity);
    const c = rpc(await sock(), { baseTimeoutMs: 5000 });
    const p = c.request(s.local, { op: 'x' });
    c.close();
    await expect(p).rejects.toBeInstanceOf(ClosedError);
  });
});
