/**
 * Embedded scenarios, so `ringswarm demo` and `ringswarm lab sweep` run with no files.
 *
 * The textbook figure has F/u = 1 hour, u_s = 10u, d_min ≥ u_s. Only those ratios shape the
 * curves, so the sweep keeps them and scales time down by 450×: F = 2 MiB, u = 256 KiB/s
 * (F/u = 8 s), u_s = 2.5 MiB/s (F/u_s = 0.8 s), d = u_s. Why these numbers, on 2 cores:
 *  - the client-server sweep N = 1,2,4,…,128 costs Σ N·F/u_s = 255 × 0.8 s ≈ 3.4 min, the P2P
 *    sweep ≈ 8 s × Σ N/(10+N) ≈ 35 s: a full figure in about 4–5 minutes;
 *  - the busiest run (N = 128 P2P) moves 128 × 256 KiB/s + u_s ≈ 34.5 MiB/s through loopback,
 *    which one Node process can shape without becoming CPU-bound (the bound assumes the links,
 *    not the CPU, are the bottleneck);
 *  - F/u_s = 0.8 s keeps the N = 1 run long enough that connection setup (a few ms) stays well
 *    inside the 5% the client-server points must meet;
 *  - 16 KiB pieces (one block each) give 128 pieces, so even at N = 128 peers have something
 *    to trade early; the fluid bound assumes an infinitely divisible file.
 */
import type { Scenario } from './scenario.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

export const SWEEP_SCENARIO: Scenario = {
  name: 'textbook-sweep',
  mode: 'p2p',
  n: 8,
  fileBytes: 2 * MiB,
  pieceBytes: 16 * KiB,
  serverUp: 2.5 * MiB,
  peerUp: { kind: 'fixed', value: 256 * KiB },
  peerDown: { kind: 'fixed', value: 2.5 * MiB },
  join: { kind: 'together' },
  // The textbook's distribution time is "until all N have a copy": peers stay and keep helping.
  departAfterCompletion: false,
  freeRiders: 0,
  churn: null,
  discovery: 'tracker',
  picker: 'rarest',
  choker: 'tit-for-tat',
  repeats: 1,
  seed: 1,
};

/** N of the textbook sweep: powers of two from 1 to 128. */
export const SWEEP_NS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128];

/**
 * The demo: 8 leechers, a 4 MiB file and a 1 MiB/s seeder. Client-server needs 32 s at least,
 * P2P about 6.4 s: long enough to watch the swarm, short enough to wait for the comparison.
 */
export const DEMO_SCENARIO: Scenario = {
  name: 'demo',
  mode: 'p2p',
  n: 8,
  fileBytes: 4 * MiB,
  pieceBytes: 64 * KiB,
  serverUp: 1 * MiB,
  peerUp: { kind: 'fixed', value: 512 * KiB },
  peerDown: { kind: 'fixed', value: 2 * MiB },
  join: { kind: 'staggered', everyMs: 200 },
  departAfterCompletion: false,
  freeRiders: 0,
  churn: null,
  discovery: 'both',
  picker: 'rarest',
  choker: 'tit-for-tat',
  repeats: 1,
  seed: 1,
};
