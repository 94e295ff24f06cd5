/**
 * LSD on loopback only: the group is the loopback broadcast address 127.255.255.255 on a free
 * port, which Linux delivers to every socket bound to that port with reuseAddr. Nothing leaves
 * 127.0.0.0/8.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/naming/endpoint.ts';
import { LsdSource, type LsdOptions } from '../../../../peer/discovery/lsd.ts';

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const H1 = new Uint8Array(20).fill(1);
const H2 = new Uint8Array(20).fill(2);
const sources: LsdSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

function make(o: LsdOptions): { src: LsdSource; seen: Endpoint[]; dropped: string[] } {
  const src = new LsdSource(o);
  const seen: Endpoint[] = [];
  const dropped: string[] = [];
  src.on('peers', (p) => seen.push(...p));
  src.on('dropped', (r) => dropped.push(r));
  sources.push(src);
  return { src, seen, dropped };
}

const until = async (f: () => boolean, ms = 3000): Promise<void> => {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('LsdSource on loopback broadcast', () => {
  it('peers of the same torrent find each other; others and our own announces are ignored', async () => {
    const group = { host: '127.255.255.255', port: await freeUdpPort() };
    const a = make({ infoHash: H1, port: 7001, group, bindHost: '0.0.0.0', minIntervalMs: 0 });
    const b = make({ infoHash: H1, port: 7002, group, bindHost: '0.0.0.0' });
    const c = make({ infoHash: H2, port: 7003, group, bindHost: '0.0.0.0' });
    a.src.start();
    b.src.start();
    c.src.start();
    // Whoever started first may have announced before the others bound: announce again past the limit.
    await new Promise((r) => setTimeout(r, 100));
    await until(() => a.src.announces > 0 && b.src.announces > 0 && c.src.announces > 0);
    a.src.announce();
    await until(() => b.seen.length > 0 && a.seen.length > 0);
    expect(b.seen.some((e) => e.port === 7001 && e.host.startsWith('127.'))).toBe(true);
    expect(a.seen.every((e) => e.port === 7002)).toBe(true); // never itself, never the H2 peer
    await new Promise((r) => setTimeout(r, 50));
    expect(c.seen).toEqual([]);
  });

  it('rate-limits announces to one per minIntervalMs', async () => {
    const group = { host: '127.255.255.255', port: await freeUdpPort() };
    let now = 0;
    const a = make({ infoHash: H1, port: 7001, group, now: () => now });
    a.src.start();
    await until(() => a.src.announces === 1);
    expect(a.src.announce()).toBe(false);
    now = 59_999;
    expect(a.src.announce()).toBe(false);
    now = 60_000;
    expect(a.src.announce()).toBe(true);
    expect(a.src.announces).toBe(2);
  });

  it('drops garbage and oversized datagrams with a reason and keeps working', async () => {
    const group = { host: '127.255.255.255', port: await freeUdpPort() };
    const a = make({ infoHash: H1, port: 7001, group });
    a.src.start();
    await until(() => a.src.announces === 1);
    const s = dgram.createSocket('udp4');
    const send = (b: Uint8Array): Promise<void> => new Promise((r) => s.send(b, group.port, '127.0.0.1', () => r()));
    await send(Buffer.from('garbage'));
    await send(Buffer.alloc(5000, 0x41));
    await send(Buffer.from(`BT-SEARCH * HTTP/1.1\r\nPort: 9999\r\nInfohash: ${'01'.repeat(20)}\r\n\r\n\r\n`));
    await until(() => a.seen.length === 1);
    s.close();
    expect(a.dropped.length).toBe(2);
    expect(a.seen).toEqual([{ host: '127.0.0.1', port: 9999 }]);
  });
});
