import { describe, it, expect } from 'vitest';
import { hostThrottle } from '../../../src/net/throttle.ts';
import { seededRandom } from '../../../src/random.ts';
import { TrackerCore } from '../../../tracker/core.ts';
import { SwarmTable, swarmOptionsFor } from '../../../tracker/swarm.ts';
import { UdpFront } from '../../../tracker/udp-server.ts';
import { UdpTracker } from '../../../tracker/udp-announce.ts';

const IH = new Uint8Array(20).fill(7);

async function front(throttle?: ReturnType<typeof hostThrottle>): Promise<{ url: string; close: () => Promise<void>; table: SwarmTable }> {
  const table = new SwarmTable(seededRandom(1), swarmOptionsFor(60));
  const f = new UdpFront(new TrackerCore(table, undefined), undefined, throttle);
  const port = await f.listen(0, '127.0.0.1');
  return { url: `udp://127.0.0.1:${port}`, close: () => f.close(), table };
}

describe('UDP front end on a throttled host', () => {
  it("a tracker host's throttle carries its UDP traffic (bytes in and out)", async () => {
    const throttle = hostThrottle({ up: 1_000_000, down: 1_000_000 });
    const f = await front(throttle);
    const t = new UdpTracker({}, { bindHost4: '127.0.0.1', baseTimeoutMs: 200, attempts: 3 });
    try {
      for (let port = 7000; port < 7003; port++) {
        await t.announce(f.url, { infoHash: IH, peerId: new Uint8Array(20).fill(port & 0xff), port, uploaded: 0n, downloaded: 0n, left: 1n, event: 'started', numwant: 50, key: 0 });
      }
      // In: one connect (16) + three announces (98). Out: 16 + three replies of 20 + 6·(peers so far).
      expect(throttle.down.granted).toBe(16 + 3 * 98);
      expect(throttle.up.granted).toBe(16 + 3 * 20 + 6 * (0 + 1 + 2));
      expect(f.table.scrape(Buffer.from(IH).toString('hex')).incomplete).toBe(3);
    } finally {
      t.close();
      await f.close();
    }
  });

  it('a slow tracker host answers slower: 4 KiB/s up paces 40 replies of ~26 bytes over ~0.25 s', async () => {
    const throttle = hostThrottle({ up: 4096 });
    const f = await front(throttle);
    const t = new UdpTracker({}, { bindHost4: '127.0.0.1', baseTimeoutMs: 2000, attempts: 2 });
    try {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 40 }, () => t.scrape(f.url, IH)),
      );
      const ms = performance.now() - t0;
      // 16 + 40·20 bytes up at 4096 B/s ≈ 200 ms (one 16 KiB burst slice aside): tolerant bounds.
      expect(throttle.up.granted).toBe(16 + 40 * 20);
      expect(ms).toBeGreaterThan(120);
      expect(ms).toBeLessThan(3000);
    } finally {
      t.close();
      await f.close();
    }
  });
});
