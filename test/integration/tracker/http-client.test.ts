import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bencode } from '../../../src/codec/bencode.ts';
import { seededRandom } from '../../../src/random.ts';
import { httpAnnounce, httpScrape, type AnnounceParams } from '../../../tracker/http-announce.ts';
import { TrackerClient } from '../../../tracker/client.ts';

const IH = Uint8Array.from({ length: 20 }, (_, i) => (i * 37) & 0xff); // includes bytes that need %-encoding
const P: AnnounceParams = { infoHash: IH, peerId: new Uint8Array(20).fill(0x41), port: 6881, uploaded: 0n, downloaded: 0n, left: 1n, event: 'started', numwant: 10, key: 7 };
const reply = (extra: Record<string, unknown> = {}): Uint8Array =>
  bencode(new Map<string, unknown>([['interval', 900], ['peers', Uint8Array.of(127, 0, 0, 1, 0x1a, 0xe2)], ...Object.entries(extra)]) as never);

/** A misbehaving-on-demand tracker: the path picks the behaviour. */
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/chunked/announce': (_req, res) => {
    const body = reply({ 'warning message': new TextEncoder().encode('be nice') });
    res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
    res.write(body.subarray(0, 5));
    setTimeout(() => res.end(body.subarray(5)), 5);
  },
  '/redirect/announce': (req, res) => {
    const hop = Number(/hop=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    const q = ((req.url ?? '').split('?')[1] ?? '').replace(/&hop=\d+/, '');
    res.writeHead(302, { Location: hop >= 2 ? `/chunked/announce?${q}` : `/redirect/announce?${q}&hop=${hop + 1}` }).end();
  },
  '/loop/announce': (req, res) => void res.writeHead(307, { Location: req.url ?? '/' }).end(),
  '/huge/announce': (_req, res) => {
    res.writeHead(200, { 'Transfer-Encoding': 'chunked' }); // no Content-Length to refuse up front
    const chunk = new Uint8Array(64 * 1024).fill(0x31);
    let n = 0;
    const more = (): void => {
      if (res.destroyed || n++ > 40) return void res.end();
      if (res.write(chunk)) setImmediate(more);
      else res.once('drain', more);
    };
    more();
  },
  '/slow/announce': () => undefined, // never answers
  '/fail/announce': (_req, res) => void res.end(bencode(new Map([['failure reason', new TextEncoder().encode('torrent not registered')]]) as never)),
  '/s/scrape': (req, res) => {
    const ih = Buffer.from(unescape((req.url ?? '').split('info_hash=')[1] ?? ''), 'latin1');
    const wanted = Buffer.from(IH).equals(ih);
    const files = new Map([[String.fromCharCode(...IH), new Map([['complete', 3], ['incomplete', 4], ['downloaded', 5]])]]);
    res.end(bencode(new Map([['files', wanted ? files : new Map()]]) as never));
  },
};

let server: Server;
let base: string;
const seenPaths: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seenPaths.push(req.url ?? '');
    const route = routes[(req.url ?? '').split('?')[0] as string];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('HTTP tracker client over node:http + the host throttle', () => {
  it('decodes a chunked response and reports the warning message', async () => {
    const r = await httpAnnounce(`${base}/chunked/announce`, P);
    expect(r).toMatchObject({ interval: 900, peers: [{ host: '127.0.0.1', port: 6882 }], warning: 'be nice' });
    // The binary info_hash went out byte-exact, percent-encoded.
    const sent = seenPaths.at(-1) ?? '';
    const raw = /info_hash=([^&]*)/.exec(sent)?.[1] ?? '';
    expect(Buffer.from(unescape(raw), 'latin1')).toEqual(Buffer.from(IH));
  });

  it('sends the address to be listed under as ip= (BEP 3) when asked, not otherwise', async () => {
    await httpAnnounce(`${base}/chunked/announce`, { ...P, ip: '127.1.0.9' });
    expect(seenPaths.at(-1)).toMatch(/[?&]ip=127\.1\.0\.9(&|$)/);
    await httpAnnounce(`${base}/chunked/announce`, P);
    expect(seenPaths.at(-1)).not.toMatch(/[?&]ip=/);
  });

  it('follows up to 3 redirects, keeping the query', async () => {
    seenPaths.length = 0;
    const r = await httpAnnounce(`${base}/redirect/announce`, P);
    expect(r.interval).toBe(900);
    expect(seenPaths.map((s) => s.split('?')[0])).toEqual(['/redirect/announce', '/redirect/announce', '/redirect/announce', '/chunked/announce']);
    expect(seenPaths.every((s) => s.includes('info_hash='))).toBe(true);
  });

  it('refuses a redirect loop after 3 hops', async () => {
    await expect(httpAnnounce(`${base}/loop/announce`, P)).rejects.toMatchObject({ code: 'TRACKER', message: expect.stringMatching(/redirected more than 3 times/) });
  });

  it('caps the response size at 1 MiB without buffering the rest', async () => {
    await expect(httpAnnounce(`${base}/huge/announce`, P)).rejects.toMatchObject({ code: 'TRACKER', message: expect.stringMatching(/over 1048576 bytes/) });
  });

  it('times out with a typed TimeoutError; a caller abort is an AbortedError', async () => {
    await expect(httpAnnounce(`${base}/slow/announce`, P, undefined, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(httpAnnounce(`${base}/slow/announce`, P, ac.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('a failure reason is a TrackerError in the tracker\'s words', async () => {
    await expect(httpAnnounce(`${base}/fail/announce`, P)).rejects.toMatchObject({ code: 'TRACKER', message: 'tracker says: torrent not registered' });
  });

  it('scrape finds its infohash in files', async () => {
    expect(await httpScrape(`${base}/s/announce`, IH)).toEqual({ complete: 3, incomplete: 4, downloaded: 5 });
  });

  it('a connection refused is a TrackerError naming the tracker', async () => {
    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    await expect(httpAnnounce(`http://127.0.0.1:${port}/announce`, P)).rejects.toMatchObject({ code: 'TRACKER', message: expect.stringMatching(/cannot reach tracker 127\.0\.0\.1/) });
  });

  it('TrackerClient turns a warning message into a warning event', async () => {
    const c = new TrackerClient({ stats: () => ({ uploaded: 0n, downloaded: 0n, left: 1n }), random: seededRandom(2) }, { infoHash: IH, peerId: P.peerId, port: 6881, announceList: [[`${base}/chunked/announce`]] });
    const warned = once(c, 'warning');
    c.start();
    const [w] = (await warned) as [Error];
    expect(w.message).toBe('tracker warning: be nice');
    await c.stop();
  });
});
