import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { writeFile, mkdir, symlink, utimes } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { HttpFileServer } from '../../../src/http/server.ts';
import { HttpClient } from '../../../src/http/client.ts';
import { tempDir } from '../../helpers/tmp.ts';

const SIZE = 300_000;
const data = new Uint8Array(SIZE).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
const MTIME = Date.UTC(2024, 0, 2, 3, 4, 5);

let root: { path: string; cleanup: () => Promise<void> };
let outside: { path: string; cleanup: () => Promise<void> };
let server: HttpFileServer;
let port: number;

beforeAll(async () => {
  root = await tempDir('rs-http-');
  outside = await tempDir('rs-secret-');
  await writeFile(join(outside.path, 'secret.txt'), 'top secret');
  await writeFile(join(root.path, 'file.bin'), data);
  await utimes(join(root.path, 'file.bin'), MTIME / 1000, MTIME / 1000);
  await mkdir(join(root.path, 'sub'));
  await writeFile(join(root.path, 'sub', 'a b.txt'), 'hello');
  await writeFile(join(root.path, 'empty'), '');
  await symlink(join(outside.path, 'secret.txt'), join(root.path, 'escape'));
  server = new HttpFileServer({ root: root.path, idleMs: 5000 });
  port = await server.start();
  expect(await server.start()).toBe(port); // idempotent
});

afterAll(async () => {
  await server.stop();
  await server.stop();
  await root.cleanup();
  await outside.cleanup();
});

/** Sends raw bytes on a fresh socket and collects everything until the server closes or `ms` pass. */
function raw(request: string | Uint8Array, ms = 1500): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    }, ms);
    sock.on('data', (c) => chunks.push(c));
    sock.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    });
    sock.on('error', () => undefined);
    sock.write(request);
  });
}

/** Byte equality without vitest's element-by-element deep diff (slow on 300 kB). */
const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

describe('HttpFileServer + HttpClient on 127.0.0.1', () => {
  it('serves a whole file, then several more requests over one persistent connection', async () => {
    const client = new HttpClient({ endpoint: { host: '127.0.0.1', port } });
    const r1 = await client.get('/file.bin');
    expect(r1.status).toBe(200);
    expect(r1.headers.get('content-length')).toBe(String(SIZE));
    expect(r1.headers.get('last-modified')).toBe(new Date(MTIME).toUTCString());
    expect(r1.headers.get('accept-ranges')).toBe('bytes');
    expect(same(r1.body, data)).toBe(true);
    const r2 = await client.get('/sub/a%20b.txt');
    expect(new TextDecoder().decode(r2.body)).toBe('hello');
    const r3 = await client.request('/file.bin', { method: 'HEAD' });
    expect(r3.status).toBe(200);
    expect(r3.bodyBytes).toBe(0);
    const r4 = await client.get('/empty');
    expect(r4.status).toBe(200);
    expect(r4.bodyBytes).toBe(0);
    expect([r2.reused, r3.reused, r4.reused]).toEqual([true, true, true]);
    expect(client.connectionsOpened).toBe(1);
    client.close();
  });

  it('serves single byte ranges (206) and refuses unsatisfiable ones (416) on the same connection', async () => {
    const client = new HttpClient({ endpoint: { host: '127.0.0.1', port } });
    const a = await client.get('/file.bin', { range: { start: 1000, end: 1999 } });
    expect(a.status).toBe(206);
    expect(a.headers.get('content-range')).toBe(`bytes 1000-1999/${SIZE}`);
    expect(same(a.body, data.subarray(1000, 2000))).toBe(true);
    const b = await client.get('/file.bin', { range: { start: SIZE - 10 } });
    expect(b.status).toBe(206);
    expect(same(b.body, data.subarray(SIZE - 10))).toBe(true);
    const c = await client.get('/file.bin', { range: { start: SIZE } });
    expect(c.status).toBe(416);
    expect(c.headers.get('content-range')).toBe(`bytes */${SIZE}`);
    const d = await client.get('/file.bin', { range: { start: 0, end: 0 } });
    expect(same(d.body, data.subarray(0, 1))).toBe(true);
    expect(client.connectionsOpened).toBe(1);
    client.close();
  });

  it('answers If-Modified-Since with 304 when unchanged, 200 when changed', async () => {
    const client = new HttpClient({ endpoint: { host: '127.0.0.1', port } });
    const same = await client.get('/file.bin', { ifModifiedSince: MTIME });
    expect(same.status).toBe(304);
    expect(same.bodyBytes).toBe(0);
    const older = await client.get('/file.bin', { ifModifiedSince: MTIME - 1000 });
    expect(older.status).toBe(200);
    expect(older.bodyBytes).toBe(SIZE);
    client.close();
  });

  it.each([
    ['GET /../etc/passwd HTTP/1.1', 403],
    ['GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1', 403],
    ['GET /sub/..%2f..%2fetc/passwd HTTP/1.1', 403],
    ['GET /file.bin%00.txt HTTP/1.1', 400],
    ['GET /escape HTTP/1.1', 403],
    ['GET /sub HTTP/1.1', 403],
    ['GET /nope HTTP/1.1', 404],
    ['DELETE /file.bin HTTP/1.1', 405],
  ])('%s → %i, and the connection keeps serving', async (line, code) => {
    const r = await raw(`${line}\r\nHost: x\r\n\r\nGET /sub/a%20b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(statusOf(r.text)).toBe(code);
    expect(r.text).not.toContain('top secret');
    expect(r.text).not.toContain('root:');
    // the pipelined second request is answered on the same connection
    expect(r.text).toMatch(/HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nhello$/);
    expect(r.closed).toBe(true);
  });

  it.each([
    ['GARBAGE\r\n\r\n', 400],
    ['GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n', 400],
    ['GET /file.bin HTTP/1.1\r\n\r\n', 400],
    ['GET /file.bin HTTP/3.0\r\nHost: x\r\n\r\n', 505],
    [`GET /file.bin HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    [`GET /file.bin HTTP/1.1\r\nHost: x\r\n${'X-N: 1\r\n'.repeat(200)}\r\n`, 431],
    [`GET /${'a'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
    ['GET /file.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello', 413],
  ])('malformed %#: answers %i and closes', async (req, code) => {
    const r = await raw(req);
    expect(statusOf(r.text)).toBe(code);
    expect(r.text).toMatch(/Connection: close/);
    expect(r.closed).toBe(true);
  });

  it('fuzz: random bytes get a 4xx/5xx or silence, never a crash or a file', async () => {
    const blobs = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.constantFrom('GET ', '/file.bin', ' HTTP/1.1', '\r\n', 'Host: x', 'Range: bytes=', '%2e%2e/', '\x00', ':'), { minLength: 1, maxLength: 12 }).map((a) => new TextEncoder().encode(a.join(''))),
      ),
      { numRuns: 40, seed: 7 },
    );
    const answers = await Promise.all(blobs.map((b) => raw(b, 300)));
    for (const a of answers) {
      if (a.text.length > 0) expect(a.text).toMatch(/^HTTP\/1\.1 (\d{3})/);
      const code = statusOf(a.text);
      if (!Number.isNaN(code) && code !== 200 && code !== 206 && code !== 304) expect(code).toBeGreaterThanOrEqual(400);
    }
  });

  it('is still serving after all of the above, from several clients at once', async () => {
    const clients = Array.from({ length: 4 }, () => new HttpClient({ endpoint: { host: '127.0.0.1', port } }));
    const rs = await Promise.all(clients.map((c) => c.get('/file.bin')));
    for (const r of rs) expect(same(r.body, data)).toBe(true);
    for (const c of clients) c.close();
    expect(server.stats.byStatus.get(403)).toBeGreaterThanOrEqual(5);
  });

  it('redials when the server closed an idle keep-alive connection', async () => {
    const short = new HttpFileServer({ root: root.path, idleMs: 100 });
    const p = await short.start();
    const client = new HttpClient({ endpoint: { host: '127.0.0.1', port: p } });
    expect((await client.get('/sub/a%20b.txt')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.get('/sub/a%20b.txt')).status).toBe(200);
    expect(client.connectionsOpened).toBe(2);
    client.close();
    await short.stop();
  });

  it('streams a body to onBody without collecting it', async () => {
    const client = new HttpClient({ endpoint: { host: '127.0.0.1', port } });
    let n = 0;
    const r = await client.get('/file.bin', { onBody: (c) => (n += c.length) });
    expect(r.body).toBeUndefined();
    expect(n).toBe(SIZE);
    client.close();
  });

  it('an aborted request rejects with AbortedError', async () => {
    const client = new HttpClient({ endpoint: { host: '127.0.0.1', port } });
    const ac = new AbortController();
    ac.abort();
    await expect(client.get('/file.bin', { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    client.close();
  });
});
