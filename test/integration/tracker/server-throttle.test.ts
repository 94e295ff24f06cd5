import { describe, it, expect } from 'vitest';
import { hostThrottle } from '../../../src/net/throttle.ts';
import { TrackerServer } from '../../../tracker/server.ts';
import { httpAnnounce } from '../../../tracker/http-announce.ts';

const IH = new Uint8Array(20).fill(9);

describe('TrackerServer on a throttled host', () => {
  it('its HTTP side goes through the host throttle and still sees the peer address', async () => {
    const throttle = hostThrottle({ up: 10_000_000, down: 10_000_000 });
    const server = new TrackerServer({ throttle }, { host: '127.0.0.1', port: 0, interval: 60 });
    await server.start();
    try {
      for (const port of [7001, 7002]) {
        await httpAnnounce(server.announceUrls.http, {
          infoHash: IH, peerId: new Uint8Array(20).fill(port & 0xff), port,
          uploaded: 0n, downloaded: 0n, left: 1n, event: 'started', numwant: 50, key: 0,
        });
      }
      const reply = await httpAnnounce(server.announceUrls.http, {
        infoHash: IH, peerId: new Uint8Array(20).fill(3), port: 7003,
        uploaded: 0n, downloaded: 0n, left: 1n, event: 'started', numwant: 50, key: 0,
      });
      // The peers were registered at the address the throttled socket reports.
      expect(reply.peers.map((p) => `${p.host}:${p.port}`).sort()).toEqual(['127.0.0.1:7001', '127.0.0.1:7002']);
      expect(throttle.down.granted).toBeGreaterThan(3 * 100); // three GET requests in
      expect(throttle.up.granted).toBeGreaterThan(3 * 50); // three bencoded replies out
    } finally {
      await server.stop();
    }
  });
});
