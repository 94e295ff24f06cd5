/**
 * Token bucket with an injected clock (ms). Pure: no node:* imports, no timers.
 *
 * Drift-free: instead of adding `rate·dt` to a float on every call (which accumulates rounding
 * error over millions of small refills), the balance is recomputed from an anchor each time:
 *   tokens(now) = anchorTokens + rate·(now − anchorTime)/1000 − takenSinceAnchor
 * `takenSinceAnchor` is an integer sum, so the only rounding is one multiplication per call.
 * The anchor moves only when the bucket is full (surplus is discarded) or the rate changes.
 */

export interface TokenBucketOptions {
  /** Bytes per second; Infinity means unlimited, 0 means nothing passes. */
  rate: number;
  /** Largest balance, in bytes. Default: max(16 KiB, rate × 50 ms). */
  burst?: number;
  /** Starting balance. Default: burst (a classic bucket starts full). */
  initial?: number;
  now: number;
}

export function defaultBurst(rate: number): number {
  return Number.isFinite(rate) ? Math.max(16 * 1024, Math.ceil(rate * 0.05)) : Infinity;
}

export class TokenBucket {
  private r: number;
  private readonly burstOpt: number | undefined;
  private anchorTime: number;
  private anchorTokens: number;
  private taken = 0;

  constructor(o: TokenBucketOptions) {
    checkRate(o.rate);
    this.r = o.rate;
    if (o.burst !== undefined && !(o.burst > 0)) throw new RangeError('burst must be positive');
    this.burstOpt = o.burst;
    this.anchorTime = o.now;
    this.anchorTokens = Math.min(this.burst, o.initial ?? this.burst);
  }

  /** Largest balance; follows the rate unless given explicitly. */
  get burst(): number {
    return this.burstOpt ?? defaultBurst(this.r);
  }

  get rate(): number {
    return this.r;
  }

  get unlimited(): boolean {
    return this.r === Infinity;
  }

  /** Current balance (may be fractional). */
  available(now: number): number {
    if (this.r === Infinity) return Infinity;
    const t = Math.max(now, this.anchorTime); // a clock that steps back grants nothing
    const raw = this.anchorTokens + (this.r * (t - this.anchorTime)) / 1000 - this.taken;
    if (raw >= this.burst) {
      // Full: discard the surplus and re-anchor so the sums stay small.
      this.anchorTime = t;
      this.anchorTokens = this.burst;
      this.taken = 0;
      return this.burst;
    }
    return raw;
  }

  /** Take n tokens if all are available. */
  tryTake(n: number, now: number): boolean {
    if (this.r === Infinity) return true;
    if (this.available(now) < n) return false;
    this.taken += n;
    return true;
  }

  /** Take up to n whole tokens; returns how many were granted (0 when empty). */
  take(n: number, now: number): number {
    if (this.r === Infinity) return n;
    const got = Math.max(0, Math.min(n, Math.floor(this.available(now))));
    this.taken += got;
    return got;
  }

  /**
   * Milliseconds until n tokens are available (0 if they are now). n is clamped to burst,
   * since a larger amount can never be held at once. Infinity when the rate is 0.
   */
  waitMs(n: number, now: number): number {
    if (this.r === Infinity) return 0;
    const missing = Math.min(n, this.burst) - this.available(now);
    if (missing <= 0) return 0;
    if (this.r === 0) return Infinity;
    return (missing * 1000) / this.r;
  }

  /** Change the rate from `now` on; tokens earned so far at the old rate are kept. */
  setRate(rate: number, now: number): void {
    checkRate(rate);
    // Leaving 'unlimited' starts full, like a fresh bucket; otherwise keep the balance.
    const balance = this.r === Infinity ? Infinity : this.available(now);
    this.anchorTime = Math.max(now, this.anchorTime);
    this.taken = 0;
    this.r = rate;
    this.anchorTokens = Math.min(balance, this.burst);
  }
}

function checkRate(rate: number): void {
  if (!(rate >= 0)) throw new RangeError(`rate must be >= 0 or Infinity, got ${rate}`);
}
