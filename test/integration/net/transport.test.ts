import { describe, it, expect, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { AbortedError, FrameTooLargeError, NetworkError, TimeoutError } from '../../../src/errors.ts';
import { dial, listen, type Connection, type TcpListener } from '../../../src/net/transport.ts';
import { FramedConnection } from '../../../src/net/framed.ts';
import { encodeFrame } from '../../../src/net/framer.ts';
import { hostThrottle, type HostThrottle } from '../../../src/net/throttle.ts';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(o: { throttle?: HostThrottle } = {}): Promise<{ l: TcpListener; accepted: Promise<Connection> }> {
  let res!: (c: Connection) => void;
  const accepted = new Promise<Connection>((r) => (res = r));
  const l = await listen({ ...o, onConnection: res });
  cleanups.push(() => l.close());
  return { l, accepted };
}

function collect(c: Connection): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  c.on('data', (d) => parts.push(d));
  return new Promise((resolve) => c.once('close', () => resolve(Buffer.concat(parts))));
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}
const sha = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

describe('TCP transport', () => {
  it('dials, exchanges bytes both ways, reports endpoints and counts', async () => {
    const { l, accepted } = await server();
    const c = await dial({ host: '127.0.0.1', port: l.port });
    const s = await accepted;
    expect(c.remote).toEqual({ host: '127.0.0.1', port: l.port });
    expect(s.remote).toEqual(c.local);
    const got = new Promise<string>((r) => s.once('data', (d) => r(Buffer.from(d).toString())));
    await c.write(Buffer.from('hello'));
    expect(await got).toBe('hello');
    const back = collect(c);
    await s.write(Buffer.from('world'));
    s.close();
    expect((await back).toString()).toBe('world');
    expect(c.bytesOut).toBe(5);
    expect(s.bytesIn).toBe(5);
    expect(c.closeError).toBeUndefined();
  });

  it('keeps write order across concurrent writes and moves 4 MiB intact', async () => {
    const { l, accepted } = await server();
    const c = await dial({ host: '127.0.0.1', port: l.port });
    const s = await accepted;
    const data = pattern(4 * MiB);
    const done = collect(s);
    await Promise.all([0, 1, 2, 3].map((i) => c.write(data.subarray(i * MiB, (i + 1) * MiB))));
    c.close();
    expect(sha(await done)).toBe(sha(data));
  });

  it('connection refused → NetworkError with errno', async () => {
    const { l } = await server();
    const port = l.port;
    await l.close();
    const e = await dial({ host: '127.0.0.1', port }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect((e as NetworkError).errno).toBe('ECONNREFUSED');
  });

  it('dial timeout → TimeoutError (a loopback listener whose accept queue is full)', async () => {
    // listen(0) and never accept: once the queue holds one connection, Linux drops new SYNs,
    // so the next connect hangs like one to a dead host.
    const py = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)\nprint(s.getsockname()[1], flush=True); sys.stdin.read()'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(() => void py.kill());
    const port = await new Promise<number>((r) => py.stdout.once('data', (d) => r(Number(String(d).trim()))));
    const first = await dial({ host: '127.0.0.1', port }, { timeoutMs: 2000 }); // fills the queue
    cleanups.push(() => first.close());
    const t0 = performance.now();
    const e = await dial({ host: '127.0.0.1', port }, { timeoutMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('abort → AbortedError (pre-aborted and mid-dial)', async () => {
    const { l } = await server();
    await expect(dial({ host: '127.0.0.1', port: l.port }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    const ac = new AbortController();
    const p = dial({ host: '127.0.0.1', port: l.port }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
  });

  it('write after close rejects with ClosedError; close event fires once', async () => {
    const { l, accepted } = await server();
    const c = await dial({ host: '127.0.0.1', port: l.port });
    await accepted;
    let closes = 0;
    c.on('close', () => closes++);
    c.close();
    c.close();
    await expect(c.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'CLOSED' });
    expect(closes).toBe(1);
  });

  it('upload throttle: 1 MiB at 1 MiB/s takes about a second', async () => {
    const { l, accepted } = await server();
    const c = await dial({ host: '127.0.0.1', port: l.port }, { throttle: hostThrottle({ up: MiB }) });
    const s = await accepted;
    const done = collect(s);
    const t0 = performance.now();
    await c.write(pattern(MiB));
    c.close();
    const got = await done;
    const secs = (performance.now() - t0) / 1000;
    expect(got.length).toBe(MiB);
    expect(secs).toBeGreaterThan(0.7);
    expect(secs).toBeLessThan(1.6);
  });

  it('download throttle: server-side down group paces what it reads, data survives the close', async () => {
    const { l, accepted } = await server({ throttle: hostThrottle({ down: MiB }) });
    const c = await dial({ host: '127.0.0.1', port: l.port });
    const s = await accepted;
    const done = collect(s);
    const data = pattern(MiB);
    const t0 = performance.now();
    await c.write(data);
    await c.end(); // sender finishes long before the receiver's throttle lets it all in
    const got = await done;
    const secs = (performance.now() - t0) / 1000;
    expect(sha(got)).toBe(sha(data));
    expect(secs).toBeGreaterThan(0.7);
    expect(secs).toBeLessThan(1.6);
  });

  it('two sockets sharing one host throttle split its rate', async () => {
    const host = hostThrottle({ up: MiB });
    const { l } = await server();
    const recv: Promise<Buffer>[] = [];
    const l2 = await listen({ onConnection: (s) => recv.push(collect(s)) });
    cleanups.push(() => l2.close());
    void l;
    const a = await dial({ host: '127.0.0.1', port: l2.port }, { throttle: host });
    const b = await dial({ host: '127.0.0.1', port: l2.port }, { throttle: host });
    const t0 = performance.now();
    await Promise.all([a.write(pattern(MiB / 2)), b.write(pattern(MiB / 2))]);
    const secs = (performance.now() - t0) / 1000;
    a.close();
    b.close();
    expect(secs).toBeGreaterThan(0.7);
    expect(secs).toBeLessThan(1.6);
  });

  it('pause() holds data until resume(), with nothing lost', async () => {
    const { l, accepted } = await server();
    const c = await dial({ host: '127.0.0.1', port: l.port });
    const s = await accepted;
    s.pause();
    const parts: Uint8Array[] = [];
    s.on('data', (d) => parts.push(d));
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    await c.write(pattern(200_000));
    await c.end();
    await new Promise((r) => setTimeout(r, 50));
    expect(parts).toHaveLength(0);
    s.resume();
    await closed;
    expect(sha(Buffer.concat(parts))).toBe(sha(pattern(200_000)));
  });

  it('a throwing data listener closes that connection only', async () => {
    const { l, accepted } = await server();
    const c = await dial({ host: '127.0.0.1', port: l.port });
    const s = await accepted;
    s.on('data', () => {
      throw new Error('bad input');
    });
    const closed = new Promise<Error | undefined>((r) => s.once('close', r));
    await c.write(Uint8Array.of(1, 2, 3));
    expect((await closed)?.message).toBe('bad input');
  });
});

describe('FramedConnection', () => {
  it('round-trips frames including empty ones', async () => {
    const { l, accepted } = await server();
    const c = new FramedConnection(await dial({ host: '127.0.0.1', port: l.port }), { maxFrame: 1000 });
    const s = new FramedConnection(await accepted, { maxFrame: 1000 });
    const frames: number[][] = [];
    const three = new Promise<void>((r) =>
      s.on('frame', (f) => {
        frames.push([...f]);
        if (frames.length === 3) r();
      }),
    );
    await c.send(Uint8Array.of(1, 2));
    await c.send(new Uint8Array(0));
    await c.send(Uint8Array.of(3));
    await three;
    expect(frames).toEqual([[1, 2], [], [3]]);
    c.close();
  });

  it('an oversized prefix closes the connection with FrameTooLargeError', async () => {
    const { l, accepted } = await server();
    const raw = await dial({ host: '127.0.0.1', port: l.port });
    const s = new FramedConnection(await accepted, { maxFrame: 10 });
    const closed = new Promise<Error | undefined>((r) => s.once('close', r));
    await raw.write(encodeFrame(new Uint8Array(11)));
    expect(await closed).toBeInstanceOf(FrameTooLargeError);
  });

  it('unthrottled writes of one tick (direct path, corked) arrive whole and in order, with backpressure', async () => {
    const { l, accepted } = await server();
    const c = await dial({ host: '127.0.0.1', port: l.port });
    const s = await accepted;
    const all = pattern(8 * MiB + 13);
    const back = collect(s);
    const writes: Promise<void>[] = [];
    // Small and large writes interleaved, none awaited: order must hold across the direct path
    // and the drain-queued path once the socket buffer is over its bound.
    for (let at = 0, k = 0; at < all.length; k++) {
      const n = Math.min(k % 2 === 0 ? 13 : 64 * 1024, all.length - at);
      writes.push(c.write(all.subarray(at, at + n)));
      at += n;
    }
    await Promise.all(writes);
    await c.end();
    const got = await back;
    expect(got.length).toBe(all.length);
    expect(sha(got)).toBe(sha(all));
    expect(c.bytesOut).toBe(all.length);
  });

  it('throttled writes queued behind others are merged into batches, yet arrive whole and in order', async () => {
    const { l, accepted } = await server();
    const up = hostThrottle({ up: 8 * MiB });
    const c = await dial({ host: '127.0.0.1', port: l.port }, { throttle: up });
    const s = await accepted;
    const all = pattern(2 * MiB + 5);
    const back = collect(s);
    const writes: Promise<void>[] = [];
    for (let at = 0, k = 0; at < all.length; k++) {
      const n = Math.min(k % 3 === 0 ? 16 * 1024 + 13 : 9, all.length - at);
      writes.push(c.write(all.subarray(at, at + n)));
      at += n;
    }
    // Small writes share a batch (and its promise): far fewer distinct promises than writes.
    expect(new Set(writes).size).toBeLessThan(writes.length / 2);
    await Promise.all(writes);
    await c.end();
    const got = await back;
    expect(sha(got)).toBe(sha(all));
    expect(c.bytesOut).toBe(all.length);
    expect(up.up.granted).toBe(all.length);
  });
});
