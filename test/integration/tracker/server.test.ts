import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { TrackerServer } from '../../../tracker/server.ts';
import { bdecode, bdict, bget, type BDict } from '../../../src/codec/bencode.ts';
import { decodeCompactPeers } from '../../../src/naming/endpoint.ts';
import * as udp from '../../../tracker/udp-protocol.ts';
import { seededRandom } from '../../../src/random.ts';

const enc = (b: Uint8Array): string => [...b].map((x) => '%' + x.toString(16).padStart(2, '0')).join('');
const id = (tag: number, kind = 0): Uint8Array => Uint8Array.from({ length: 20 }, (_, i) => (tag * 7 + i + kind * 101) & 255);

let server: TrackerServer;
let base: string;

async function get(path: string): Promise<{ status: number; dict: BDict }> {
  const res = await fetch(base + path);
  const buf = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, dict: bdict(bdecode(buf)) };
}
const reason = (d: BDict): string => new TextDecoder().decode(bget(d, 'failure reason') as Uint8Array);

function announceQuery(ih: Uint8Array, peer: number, extra = ''): string {
  return `/announce?info_hash=${enc(ih)}&peer_id=${enc(id(peer, 1))}&port=${7000 + peer}&uploaded=0&downloaded=0&left=10${extra}`;
}

/** One UDP request/response exchange from a fresh socket (or the given one). */
function udpAsk(port: number, packet: Uint8Array, timeoutMs = 400): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(new Uint8Array(m)); });
    s.bind(0, '127.0.0.1', () => s.send(packet, port, '127.0.0.1'));
  });
}

/** connect + request on one socket (the connection id is bound to the source port). */
function udpSession(port: number, build: (cid: bigint) => Uint8Array): Promise<udp.UdpResponse | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, 1000);
    let stage = 0;
    s.on('message', (m) => {
      const r = udp.decodeResponse(new Uint8Array(m));
      if (stage === 0 && r?.action === 'connect') {
        stage = 1;
        s.send(build(r.connectionId), port, '127.0.0.1');
      } else {
        clearTimeout(t);
        s.close();
        resolve(r);
      }
    });
    s.bind(0, '127.0.0.1', () => s.send(udp.encodeConnectRequest(42), port, '127.0.0.1'));
  });
}

beforeAll(async () => {
  server = new TrackerServer({ random: seededRandom(1) }, { host: '127.0.0.1', port: 0, interval: 60 });
  await server.start();
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop());

describe('HTTP announce and scrape', () => {
  const ih = id(1);
  it('peers find each other (compact), the requester is never in its own list', async () => {
    await get(announceQuery(ih, 1, '&event=started'));
    const { dict } = await get(announceQuery(ih, 2, '&event=started'));
    expect(bget(dict, 'interval')).toBe(60);
    expect(bget(dict, 'min interval')).toBe(30);
    expect(bget(dict, 'incomplete')).toBe(2);
    expect(decodeCompactPeers(bget(dict, 'peers') as Uint8Array, 4)).toEqual([{ host: '127.0.0.1', port: 7001 }]);
  });

  it('compact=0 returns the dictionary list with peer ids', async () => {
    const { dict } = await get(announceQuery(ih, 3, '&compact=0'));
    const peers = (bget(dict, 'peers') as BDict[]).map((p) => [new TextDecoder().decode(bget(p, 'ip') as Uint8Array), bget(p, 'port')]);
    expect(peers.sort()).toEqual([['127.0.0.1', 7001], ['127.0.0.1', 7002]]);
    expect(bget((bget(dict, 'peers') as BDict[])[0]!, 'peer id')).toBeInstanceOf(Uint8Array);
  });

  it('scrape counts seeds, leechers and completed (BEP 48), several hashes at once', async () => {
    await get(announceQuery(ih, 1, '&event=completed').replace('left=10', 'left=0'));
    const other = id(99);
    const { dict } = await get(`/scrape?info_hash=${enc(ih)}&info_hash=${enc(other)}`);
    const files = bdict(bget(dict, 'files'));
    const entry = bdict(files.get(String.fromCharCode(...ih)));
    expect(Object.fromEntries(entry)).toEqual({ complete: 1, downloaded: 1, incomplete: 2 });
    expect(Object.fromEntries(bdict(files.get(String.fromCharCode(...other))))).toEqual({ complete: 0, downloaded: 0, incomplete: 0 });
  });

  it.each([
    ['missing info_hash', `/announce?peer_id=${enc(id(1, 1))}&port=1&left=0`, /missing info_hash/],
    ['wrong-length info_hash', announceQuery(id(1), 1).replace(enc(id(1)), '%01%02'), /20 bytes/],
    ['non-numeric port', announceQuery(id(1), 1).replace('port=7001', 'port=abc'), /invalid port/],
    ['out-of-range port', announceQuery(id(1), 1).replace('port=7001', 'port=70000'), /invalid port/],
  ])('%s → failure reason, state untouched', async (_n, path, msg) => {
    const before = server.table.peerCount;
    const { status, dict } = await get(path);
    expect(status).toBe(200);
    expect(reason(dict)).toMatch(msg);
    expect(server.table.peerCount).toBe(before);
  });

  it('absurd numwant is clamped, not refused', async () => {
    const { dict } = await get(announceQuery(ih, 4, '&numwant=999999999999999'));
    expect(decodeCompactPeers(bget(dict, 'peers') as Uint8Array, 4)).toHaveLength(3);
  });

  it('huge query strings get 414, huge bodies 413, and the tracker keeps serving', async () => {
    const big = await fetch(`${base}/announce?x=${'a'.repeat(10_000)}`);
    expect(big.status).toBe(414);
    expect(reason(bdict(bdecode(new Uint8Array(await big.arrayBuffer()))))).toMatch(/request target/);
    const huge = await fetch(`${base}/announce?x=${'a'.repeat(100_000)}`);
    expect(huge.status).toBe(431);
    expect(reason(bdict(bdecode(new Uint8Array(await huge.arrayBuffer()))))).toMatch(/too large/);
    const body = await fetch(`${base}/announce`, { method: 'POST', body: 'x'.repeat(100_000) }).catch(() => undefined);
    if (body) expect(body.status).toBe(413);
    const garbage = await new Promise<string>((resolve) => {
      const sock = connect(server.port, '127.0.0.1', () => sock.write('GARBAGE\r\n\r\n'));
      let out = '';
      sock.on('data', (d) => (out += d.toString()));
      sock.on('close', () => resolve(out));
    });
    expect(garbage).toMatch(/400/);
    expect((await get(announceQuery(ih, 2))).dict.has('peers')).toBe(true);
  });

  it('the stats page lists swarms with seeds, leechers and completed', async () => {
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain(Buffer.from(ih).toString('hex'));
    expect(html).toMatch(/<td>1<\/td><td>3<\/td><td>1<\/td>/);
  });
});

describe('UDP announce and scrape (BEP 15) on the same port', () => {
  const ih = id(2);
  const announce = (peer: number, extra: Partial<Parameters<typeof udp.encodeAnnounceRequest>[0]> = {}) => (cid: bigint) =>
    udp.encodeAnnounceRequest({ connectionId: cid, transactionId: 77, infoHash: ih, peerId: id(peer, 2), downloaded: 0n, left: 5n, uploaded: 0n, event: 'started', ip: 0, key: 1, numwant: -1, port: 8000 + peer, ...extra });

  it('connect, announce, scrape', async () => {
    expect(await udpSession(server.port, announce(1))).toMatchObject({ action: 'announce', transactionId: 77, leechers: 1, seeders: 0 });
    const r = await udpSession(server.port, announce(2, { left: 0n, event: 'completed' }));
    expect(r?.action).toBe('announce');
    if (r?.action !== 'announce') return;
    expect(r).toMatchObject({ interval: 60, leechers: 1, seeders: 1 });
    expect(decodeCompactPeers(r.peers, 4)).toEqual([{ host: '127.0.0.1', port: 8001 }]);
    const s = await udpSession(server.port, (cid) => udp.encodeScrapeRequest(cid, 5, [ih, id(98)]));
    expect(s).toEqual({ action: 'scrape', transactionId: 5, counts: [{ seeders: 1, completed: 1, leechers: 1 }, { seeders: 0, completed: 0, leechers: 0 }] });
  });

  it('a wrong connection id gets a BEP 15 error and changes nothing', async () => {
    const before = server.table.peerCount;
    const r = await udpAsk(server.port, announce(3)(123456789n));
    expect(udp.decodeResponse(r!)).toEqual({ action: 'error', transactionId: 77, message: 'invalid or expired connection id' });
    expect(server.table.peerCount).toBe(before);
  });

  it('truncated and garbage datagrams are dropped; the tracker keeps serving', async () => {
    const full = announce(3)(1n);
    for (const pkt of [full.subarray(0, 50), new Uint8Array(3), Uint8Array.from({ length: 64 }, (_, i) => i * 31), udp.encodeConnectRequest(1).subarray(0, 15)]) {
      expect(await udpAsk(server.port, pkt, 150)).toBeUndefined();
    }
    expect((await udpSession(server.port, announce(4)))?.action).toBe('announce');
  });
});
