import { describe, expect, it } from 'vitest';
import { connectionThrottle } from '../../../../peer/session/chained-throttle.ts';
import { hostThrottle } from '../../../../src/net/throttle.ts';

describe('connectionThrottle', () => {
  it('is unlimited until a limited torrent group is attached, then both groups grant', async () => {
    const host = hostThrottle();
    const torrent = hostThrottle({ up: 20_000 });
    const t = connectionThrottle(host);
    expect(t.up.unlimited).toBe(true);
    expect(t.down.unlimited).toBe(true);
    t.attach(torrent);
    expect(t.up.unlimited).toBe(false);
    expect(t.up.rate).toBe(20_000);
    expect(t.down.unlimited).toBe(true);
    const t0 = performance.now();
    await t.up.request(4000);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(120); // 4000 B at 20 kB/s from an empty bucket ≈ 200 ms
    expect(ms).toBeLessThan(1500);
    expect(torrent.up.granted).toBe(4000);
    expect(host.up.granted).toBe(4000);
  });

  it('the host cap holds for every connection whatever the torrent allows', () => {
    const host = hostThrottle({ down: 1000 });
    const t = connectionThrottle(host, hostThrottle());
    expect(t.down.unlimited).toBe(false);
    expect(t.down.rate).toBe(1000);
    expect(t.up.unlimited).toBe(true);
  });
});
