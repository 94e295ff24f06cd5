import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { TrackerServer } from '../../../tracker/server.ts';
import { TrackerClient } from '../../../tracker/client.ts';
import type { Endpoint } from '../../../src/naming/endpoint.ts';
import { seededRandom, shuffled } from '../../../src/random.ts';

const IH = Uint8Array.from({ length: 20 }, (_, i) => 0x30 + i);
const pid = (n: number): Uint8Array => Uint8Array.from({ length: 20 }, (_, i) => n * 3 + i);
const leeching = () => ({ uploaded: 0n, downloaded: 0n, left: 1000n });

let server: TrackerServer;
let http: string;
let udpUrl: string;
/** A UDP port nobody answers on, for dead-tracker tests. */
let deadUdp: string;
let deadSock: ReturnType<typeof createSocket>;

beforeAll(async () => {
  server = new TrackerServer({ random: seededRandom(3) }, { host: '127.0.0.1', port: 0, interval: 60 });
  await server.start();
  ({ http, udp: udpUrl } = server.announceUrls);
  deadSock = createSocket('udp4');
  await new Promise<void>((r) => deadSock.bind(0, '127.0.0.1', r));
  deadUdp = `udp://127.0.0.1:${deadSock.address().port}`;
});
afterAll(async () => {
  deadSock.close();
  await server.stop();
});

function client(n: number, announceList: string[][], extra: Partial<ConstructorParameters<typeof TrackerClient>[1]> = {}, left = 1000n): TrackerClient {
  return new TrackerClient({ stats: () => ({ uploaded: 0n, downloaded: 0n, left }), random: seededRandom(n) }, { infoHash: IH, peerId: pid(n), port: 20000 + n, announceList, udpTimeoutMs: 100, minBackoffMs: 50, ...extra });
}

describe('TrackerClient', () => {
  it('an HTTP and a UDP client of the same swarm find each other; stop says goodbye', async () => {
    const a = client(1, [[http]]);
    const b = client(2, [[udpUrl]], {}, 0n);
    a.start();
    await once(a, 'announced');
    b.start();
    const [peersB] = (await once(b, 'peers')) as [Endpoint[]];
    expect(peersB).toEqual([{ host: '127.0.0.1', port: 20001 }]);
    expect(await a.scrape()).toEqual({ complete: 1, incomplete: 1, downloaded: 0 });
    expect(await b.scrape()).toEqual({ complete: 1, incomplete: 1, downloaded: 0 });
    await a.stop();
    await b.stop();
    expect(server.table.scrape(Buffer.from(IH).toString('hex'))).toMatchObject({ complete: 0, incomplete: 0 });
  });

  it('completed is sent as an event and counted by the tracker', async () => {
    const c = client(3, [[http]]);
    c.start();
    await once(c, 'announced');
    c.completed();
    const [info] = (await once(c, 'announced')) as [{ event: string }];
    expect(info.event).toBe('completed');
    expect(server.table.scrape(Buffer.from(IH).toString('hex')).downloaded).toBe(1);
    await c.stop();
  });

  it('BEP 12: a dead tracker in the first tier is skipped and the working one promoted', async () => {
    // Pick a seed whose BEP 12 shuffle leaves the dead tracker first in the tier.
    let seed = 0;
    while (shuffled(['dead', 'live'], seededRandom(seed))[0] !== 'dead') seed++;
    const c = client(seed, [[deadUdp, http]]);
    expect(c.trackers[0]![0]).toBe(deadUdp);
    c.start();
    const [info] = (await once(c, 'announced')) as [{ url: string }];
    expect(info.url).toBe(http);
    expect(c.trackers[0]![0]).toBe(http);
    await c.stop();
  });

  it('a failure reason reaches the caller in the tracker\'s words, with back-off retries', async () => {
    const c = new TrackerClient({ stats: leeching }, { infoHash: IH.subarray(0, 19), peerId: pid(5), port: 20005, announceList: [[http]], minBackoffMs: 40 });
    const warnings: Error[] = [];
    c.on('warning', (e) => warnings.push(e));
    c.start();
    await new Promise((r) => setTimeout(r, 400));
    await c.stop();
    expect(warnings[0]?.message).toBe('tracker says: info_hash must be 20 bytes, got 19');
    // 40, ~80, ~160 ms… : a few retries, not a tight loop.
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.length).toBeLessThan(8);
  });

  it('an unreachable UDP tracker times out with a clear message', async () => {
    const c = client(6, [[deadUdp]], { minBackoffMs: 10_000 });
    c.start();
    const [err] = (await once(c, 'warning')) as [Error];
    expect(err.message).toMatch(/did not answer the connect request/);
    await c.stop();
  });
});
