import { describe, it, expect } from 'vitest';
import { RateMeter } from '../../../src/net/rate-meter.ts';

describe('RateMeter', () => {
  it('is 0 before anything is added', () => {
    expect(new RateMeter().rate(1234)).toBe(0);
  });

  it('measures a steady 10 kB/s stream', () => {
    const m = new RateMeter({ windowMs: 5000, bucketMs: 250 });
    for (let t = 0; t <= 20_000; t += 100) m.add(1000, t);
    expect(m.rate(20_000)).toBeGreaterThan(9_500);
    expect(m.rate(20_000)).toBeLessThan(10_500);
    expect(m.total).toBe(201 * 1000);
  });

  it('a young meter divides by the time covered, not the whole window', () => {
    const m = new RateMeter({ windowMs: 10_000, bucketMs: 100 });
    for (let t = 0; t < 1000; t += 10) m.add(100, t);
    // 10 kB in 1 s
    expect(m.rate(1000)).toBeGreaterThan(9_500);
    expect(m.rate(1000)).toBeLessThan(10_500);
  });

  it('decays to 0 after the window passes with no data', () => {
    const m = new RateMeter({ windowMs: 2000, bucketMs: 500 });
    m.add(5000, 0);
    m.add(5000, 900);
    expect(m.rate(1000)).toBe(10_000);
    expect(m.rate(2400)).toBeGreaterThan(0);
    expect(m.rate(3000)).toBe(0);
  });

  it('sees a rate change within one window', () => {
    const m = new RateMeter({ windowMs: 1000, bucketMs: 100 });
    let before = 0;
    for (let t = 0; t < 5000; t += 10) {
      m.add(t < 2500 ? 10 : 100, t);
      if (t === 2490) before = m.rate(t);
    }
    expect(before).toBeGreaterThan(950);
    expect(before).toBeLessThan(1050);
    expect(m.rate(4990)).toBeGreaterThan(9_500);
    expect(m.rate(4990)).toBeLessThan(10_500);
  });

  it('ignores zero/negative adds and late samples for recycled buckets', () => {
    const m = new RateMeter({ windowMs: 1000, bucketMs: 100 });
    m.add(0, 0);
    m.add(-5, 0);
    expect(m.total).toBe(0);
    m.add(100, 5000);
    m.add(100, 0); // late: bucket slot already reused for t=5000 → dropped from the window
    expect(m.rate(5000)).toBe(100 * 1000 / 100);
    expect(m.total).toBe(200);
  });
});
