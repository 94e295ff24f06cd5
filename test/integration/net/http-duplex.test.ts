import { describe, it, expect, afterEach } from 'vitest';
import * as http from 'node:http';
import { serveHttp, throttledConnector } from '../../../src/net/duplex.ts';
import { hostThrottle } from '../../../src/net/throttle.ts';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const body = Buffer.alloc(MiB, 7);

async function fileServer(up: number): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(String(n)));
      return;
    }
    res.setHeader('content-length', body.length);
    res.end(body);
  });
  const s = await serveHttp(server, { throttle: hostThrottle({ up }) });
  cleanups.push(() => {
    server.closeAllConnections();
    return s.close();
  });
  return { port: s.port, server };
}

function get(port: number, o: http.RequestOptions = {}, post?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/f', method: post ? 'POST' : 'GET', ...(o.createConnection ? {} : { agent: false }), ...o }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(post);
  });
}

// Note: http.request ignores createConnection when an `agent` is given (even agent: false).
describe('node:http over throttled sockets', () => {
  it('server upload throttle paces a 1 MiB response at 1 MiB/s', async () => {
    const { port } = await fileServer(MiB);
    const t0 = performance.now();
    const r = await get(port);
    const secs = (performance.now() - t0) / 1000;
    expect(r.status).toBe(200);
    expect(r.body.equals(body)).toBe(true);
    expect(secs).toBeGreaterThan(0.7);
    expect(secs).toBeLessThan(1.6);
  });

  it('client download throttle via createConnection paces the same response', async () => {
    const { port } = await fileServer(Infinity);
    const t0 = performance.now();
    const r = await get(port, { createConnection: throttledConnector(hostThrottle({ down: MiB })) });
    const secs = (performance.now() - t0) / 1000;
    expect(r.body.length).toBe(MiB);
    expect(secs).toBeGreaterThan(0.7);
    expect(secs).toBeLessThan(1.6);
  });

  it('client upload throttle paces a POST body', async () => {
    const { port } = await fileServer(Infinity);
    const t0 = performance.now();
    const r = await get(port, { createConnection: throttledConnector(hostThrottle({ up: 2 * MiB })) as never }, body);
    const secs = (performance.now() - t0) / 1000;
    expect(r.body.toString()).toBe(String(MiB));
    expect(secs).toBeGreaterThan(0.35);
    expect(secs).toBeLessThan(0.8);
  });
});
