/**
 * Shared bandwidth limits. A ThrottleGroup is one token bucket with a queue of waiters; a
 * HostThrottle is the pair of groups (up, down) of one emulated host, shared by every socket
 * of that host — TCP and UDP, BitTorrent and HTTP — so the lab's u_s, u_i, d_i hold exactly.
 *
 * Fairness: waiters are served round-robin in slices of at most `slice` bytes, so a socket
 * asking for 8 MiB cannot hold the link while another waits to send a 17-byte HAVE.
 * Exactness: the bucket starts empty and has a small burst, so a transfer of B bytes at rate R
 * takes B/R (plus at most one burst) whatever the chunking.
 * Unlimited groups (rate Infinity) resolve at once and never start a timer.
 */
import { AbortedError } from '../errors.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ThrottleOptions {
  /** Bytes per second; Infinity = unlimited. */
  rate: number;
  /** Largest burst in bytes; default max(slice, rate × 20 ms). */
  burst?: number;
  /** Largest grant to one waiter before the next waiter's turn; default 16 KiB. */
  slice?: number;
  /** Clock in ms; default performance.now. */
  now?: () => number;
}

interface Waiter {
  remaining: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const DEFAULT_SLICE = 16 * 1024;

export class ThrottleGroup {
  private readonly clock: () => number;
  private readonly slice: number;
  private readonly burstOpt: number | undefined;
  private bucket: TokenBucket;
  private readonly queue: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private grantedBytes = 0;

  constructor(o: ThrottleOptions) {
    this.clock = o.now ?? (() => performance.now());
    this.slice = o.slice ?? DEFAULT_SLICE;
    this.burstOpt = o.burst;
    this.bucket = new TokenBucket({ rate: o.rate, burst: this.burstFor(o.rate), initial: 0, now: this.clock() });
  }

  get rate(): number {
    return this.bucket.rate;
  }

  get unlimited(): boolean {
    return this.bucket.unlimited;
  }

  /** Bytes granted so far (for tests and the lab's accounting). */
  get granted(): number {
    return this.grantedBytes;
  }

  /** Number of requests waiting for tokens. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves once `bytes` tokens have been granted to this caller. Rejects with AbortedError
   * if the signal fires first (tokens already granted to it are not returned).
   */
  request(bytes: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError('throttle wait aborted', { cause: signal.reason }));
    if (bytes <= 0 || this.bucket.unlimited) {
      this.grantedBytes += Math.max(0, bytes);
      return Promise.resolve();
    }
    // Fast path: nobody queued and enough tokens now.
    if (this.queue.length === 0 && this.bucket.tryTake(bytes, this.clock())) {
      this.grantedBytes += bytes;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { remaining: bytes, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new AbortedError('throttle wait aborted', { cause: signal.reason }));
          this.clearTimer(); // the head may have changed: re-time for the new one
          this.pump();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.pump();
    });
  }

  /** Change the rate now; queued waiters are re-timed. The burst follows unless given. */
  setRate(rate: number): void {
    const now = this.clock();
    if (this.burstOpt === undefined) {
      // The burst depends on the rate, and TokenBucket's burst is fixed: start a new bucket
      // that carries over the current balance.
      const balance = this.bucket.unlimited ? 0 : this.bucket.available(now);
      this.bucket = new TokenBucket({ rate, burst: this.burstFor(rate), initial: Math.max(0, balance), now });
    } else {
      this.bucket.setRate(rate, now);
    }
    this.clearTimer();
    this.pump();
  }

  private burstFor(rate: number): number | undefined {
    if (!Number.isFinite(rate)) return undefined;
    return this.burstOpt ?? Math.max(this.slice, Math.ceil(rate * 0.02));
  }

  private pump(): void {
    if (this.timer !== undefined) return; // the timer will call back
    const now = this.clock();
    while (this.queue.length > 0) {
      const w = this.queue[0] as Waiter;
      const n = Math.min(w.remaining, this.slice, this.bucket.burst);
      if (!this.bucket.tryTake(n, now)) {
        const ms = this.bucket.waitMs(n, now);
        if (ms === Infinity) return; // rate 0: wait for setRate
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.max(1, Math.ceil(ms)));
        return;
      }
      this.grantedBytes += n;
      w.remaining -= n;
      this.queue.shift();
      if (w.remaining <= 0) {
        if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
        w.resolve();
      } else {
        this.queue.push(w); // round-robin: back of the line for its next slice
      }
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export interface HostThrottle {
  up: ThrottleGroup;
  down: ThrottleGroup;
}

/** Up/down groups for one emulated host; omitted directions are unlimited. */
export function hostThrottle(o: { up?: number; down?: number; now?: () => number } = {}): HostThrottle {
  const clock = o.now ? { now: o.now } : {};
  return {
    up: new ThrottleGroup({ rate: o.up ?? Infinity, ...clock }),
    down: new ThrottleGroup({ rate: o.down ?? Infinity, ...clock }),
  };
}

/** A shared unlimited pair for sockets created without a throttle. */
export const UNLIMITED: HostThrottle = hostThrottle();
