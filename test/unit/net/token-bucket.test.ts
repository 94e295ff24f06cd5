import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TokenBucket } from '../../../src/net/token-bucket.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

describe('TokenBucket', () => {
  it('starts full, refills at the rate, caps at burst', () => {
    const clock = new ManualClock(1000);
    const b = new TokenBucket({ rate: 1000, burst: 500, now: clock.now() });
    expect(b.available(clock.now())).toBe(500);
    expect(b.tryTake(500, clock.now())).toBe(true);
    expect(b.tryTake(1, clock.now())).toBe(false);
    expect(b.available(clock.advance(100))).toBeCloseTo(100, 9);
    expect(b.available(clock.advance(10_000))).toBe(500);
  });

  it('take grants what is available, in whole tokens', () => {
    const b = new TokenBucket({ rate: 1000, burst: 100, initial: 0, now: 0 });
    expect(b.take(50, 0)).toBe(0);
    expect(b.take(50, 25.5)).toBe(25);
    expect(b.available(25.5)).toBeCloseTo(0.5, 9);
    expect(b.take(1000, 1000)).toBe(100);
  });

  it('waitMs says when n tokens will be there, clamped to burst', () => {
    const b = new TokenBucket({ rate: 2000, burst: 1000, initial: 0, now: 0 });
    expect(b.waitMs(500, 0)).toBe(250);
    expect(b.waitMs(500, 250)).toBe(0);
    expect(b.waitMs(5000, 0)).toBe(500); // clamped to burst
    const zero = new TokenBucket({ rate: 0, burst: 10, initial: 0, now: 0 });
    expect(zero.waitMs(1, 0)).toBe(Infinity);
  });

  it('unlimited passes everything', () => {
    const b = new TokenBucket({ rate: Infinity, now: 0 });
    expect(b.tryTake(1e12, 0)).toBe(true);
    expect(b.take(77, 0)).toBe(77);
    expect(b.waitMs(1e12, 0)).toBe(0);
  });

  it('setRate keeps earned tokens and applies from now on', () => {
    const b = new TokenBucket({ rate: 1000, burst: 10_000, initial: 0, now: 0 });
    b.setRate(4000, 1000); // 1000 earned at the old rate
    expect(b.available(1000)).toBeCloseTo(1000, 9);
    expect(b.available(1500)).toBeCloseTo(3000, 9);
    b.setRate(Infinity, 1500);
    expect(b.tryTake(1e9, 1500)).toBe(true);
    b.setRate(1000, 2000); // leaving unlimited starts full (default burst follows the rate)
    expect(b.available(2000)).toBe(10_000);
  });

  it('a clock stepping back grants nothing', () => {
    const b = new TokenBucket({ rate: 1000, burst: 100, initial: 0, now: 1000 });
    expect(b.available(500)).toBe(0);
    expect(b.available(1050)).toBeCloseTo(50, 9);
  });

  it('no drift over a long run of tiny takes (1e6 steps)', () => {
    // 1 MiB/s for 1000 s in 1 ms steps, taking everything each time: the grand total must be
    // exactly rate × time, whatever the float rounding of the individual steps.
    const rate = 1024 * 1024;
    const b = new TokenBucket({ rate, burst: 4096, initial: 0, now: 0 });
    let got = 0;
    let now = 0;
    for (let i = 1; i <= 1_000_000; i++) {
      now = i * 1.0; // integer ms
      got += b.take(1e9, now);
    }
    expect(got).toBe((rate * now) / 1000);
  });

  it('no drift with fractional clock steps (performance.now-like)', () => {
    const rate = 3_000_000 / 7; // awkward rate
    const b = new TokenBucket({ rate, burst: 1e6, initial: 0, now: 0 });
    let got = 0;
    let now = 0;
    for (let i = 0; i < 200_000; i++) {
      now += 0.3 + (i % 7) * 0.01;
      got += b.take(1e9, now);
    }
    const ideal = (rate * now) / 1000;
    expect(ideal - got).toBeGreaterThanOrEqual(0);
    expect(ideal - got).toBeLessThan(1); // only the final fractional token is unclaimed
  });

  it('property: total granted never exceeds initial + rate·t', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e7 }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 1e6 })), { maxLength: 50 }),
        (rate, burst, steps) => {
          const b = new TokenBucket({ rate, burst, now: 0 });
          let now = 0;
          let got = 0;
          for (const [dt, n] of steps) {
            now += dt;
            const w = b.waitMs(n, now);
            const g = b.take(n, now);
            if (w === 0) expect(g).toBe(Math.min(n, Math.floor(b.available(now) + g)));
            got += g;
            expect(got).toBeLessThanOrEqual(burst + (rate * now) / 1000 + 1e-6);
          }
        },
      ),
    );
  });
});
