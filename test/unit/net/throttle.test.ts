import { describe, it, expect } from 'vitest';
import { AbortedError } from '../../../src/errors.ts';
import { ThrottleGroup, hostThrottle } from '../../../src/net/throttle.ts';

const KiB = 1024;

describe('ThrottleGroup', () => {
  it('unlimited resolves at once', async () => {
    const g = new ThrottleGroup({ rate: Infinity });
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await g.request(1 << 20);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(g.granted).toBe(1000 * (1 << 20));
  });

  it('paces a transfer at the rate (bucket starts empty)', async () => {
    const g = new ThrottleGroup({ rate: 400 * KiB });
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await g.request(10 * KiB); // 200 KiB → 500 ms
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(400);
    expect(ms).toBeLessThan(900);
  });

  it('big requests are sliced: a small late request is not starved', async () => {
    const g = new ThrottleGroup({ rate: 256 * KiB, slice: 8 * KiB });
    const order: string[] = [];
    const big = g.request(256 * KiB).then(() => order.push('big'));
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    const small = g.request(100).then(() => order.push('small'));
    await small;
    expect(performance.now() - t0).toBeLessThan(300); // not the ~1 s of the big one
    await big;
    expect(order).toEqual(['small', 'big']);
  });

  it('serves equal waiters in FIFO order', async () => {
    const g = new ThrottleGroup({ rate: 100 * KiB, slice: 4 * KiB });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => g.request(2 * KiB).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('abort rejects with AbortedError and frees the queue', async () => {
    const g = new ThrottleGroup({ rate: 10 * KiB });
    const ac = new AbortController();
    const p = g.request(1 << 20, ac.signal);
    const q = g.request(100);
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    const t0 = performance.now();
    await q; // the next waiter gets served, without waiting out the aborted one's slice
    expect(performance.now() - t0).toBeLessThan(600);
    expect(g.waiting).toBe(0);
    await expect(g.request(1, AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('setRate re-times waiters (0 pauses, raising resumes)', async () => {
    const g = new ThrottleGroup({ rate: 0 });
    let done = false;
    const p = g.request(50 * KiB).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    g.setRate(Infinity);
    await p;
    expect(g.rate).toBe(Infinity);
    g.setRate(100 * KiB);
    const t0 = performance.now();
    await g.request(20 * KiB);
    expect(performance.now() - t0).toBeGreaterThan(100);
  });

  it('hostThrottle defaults to unlimited', () => {
    const h = hostThrottle({ up: 1000 });
    expect(h.up.rate).toBe(1000);
    expect(h.down.unlimited).toBe(true);
  });
});
