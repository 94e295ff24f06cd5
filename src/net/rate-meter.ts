/**
 * Sliding-window byte rate (for the choker's "who uploads to me fastest", the TUI and the lab).
 * Pure: the caller passes `now` in ms. Bytes are counted in fixed buckets of bucketMs; the
 * window is the current (partial) bucket plus the previous whole ones, windowMs in all.
 *
 * The divisor is the time actually covered: a meter that started 1 s ago reports bytes/1 s,
 * not bytes/windowMs, so fresh connections are not under-rated for their first seconds.
 */

export interface RateMeterOptions {
  /** Window length; default 5000 ms. Rounded up to a whole number of buckets. */
  windowMs?: number;
  /** Bucket length; default 250 ms. */
  bucketMs?: number;
}

export class RateMeter {
  readonly windowMs: number;
  readonly bucketMs: number;
  private readonly counts: number[];
  /** Bucket index (floor(now / bucketMs)) of counts[i], or -Infinity when unused. */
  private readonly index: number[];
  private sum = 0;
  private start: number | undefined;

  constructor(o: RateMeterOptions = {}) {
    this.bucketMs = o.bucketMs ?? 250;
    if (!(this.bucketMs > 0)) throw new RangeError('bucketMs must be positive');
    const n = Math.max(1, Math.ceil((o.windowMs ?? 5000) / this.bucketMs));
    this.windowMs = n * this.bucketMs;
    this.counts = new Array<number>(n).fill(0);
    this.index = new Array<number>(n).fill(-Infinity);
  }

  /** Total bytes ever added. */
  get total(): number {
    return this.sum;
  }

  add(bytes: number, now: number): void {
    if (!(bytes > 0)) return;
    this.sum += bytes;
    this.start ??= now;
    const b = Math.floor(now / this.bucketMs);
    const slot = mod(b, this.counts.length);
    if (this.index[slot] !== b) {
      // An older bucket (or a late sample for a bucket already recycled) is overwritten.
      if ((this.index[slot] as number) > b) return;
      this.index[slot] = b;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] as number) + bytes;
  }

  /** Bytes per second over the window ending at now. */
  rate(now: number): number {
    if (this.start === undefined) return 0;
    const n = this.counts.length;
    const cur = Math.floor(now / this.bucketMs);
    const oldest = cur - n + 1;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const idx = this.index[i] as number;
      if (idx >= oldest && idx <= cur) bytes += this.counts[i] as number;
    }
    const from = Math.max(oldest * this.bucketMs, this.start);
    // At least one bucket's length, so a burst at t=start does not divide by ~0.
    const span = Math.max(now - from, this.bucketMs);
    return (bytes * 1000) / span;
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
