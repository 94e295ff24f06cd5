/**
 * The textbook's lower bounds on distribution time (Kurose & Ross, P2P file distribution):
 *
 *   D_cs  ≥ max{ N·F/u_s, F/d_min }
 *   D_p2p ≥ max{ F/u_s, F/d_min, N·F/(u_s + Σu_i) }
 *
 * Units: F in bytes, rates in bytes/s, result in seconds (bits or bytes cancel, as long as F and
 * the rates agree). Pure: the lab compares every measured run against these.
 */
import { ConfigError } from '../errors.ts';

export interface BoundInput {
  /** File size in bytes. */
  readonly fileBytes: number;
  /** Server (or seeder) upload rate, bytes/s. */
  readonly serverUp: number;
  /** Each peer's upload rate, bytes/s; its length is N. */
  readonly peerUp: readonly number[];
  /** Each peer's download rate, bytes/s (Infinity for unlimited); same length as peerUp. */
  readonly peerDown: readonly number[];
}

/** Which term of the max{} binds: tells a reader *why* the bound is what it is. */
export type BoundTerm = 'server' | 'slowest-download' | 'aggregate-upload';

export interface Bound {
  readonly seconds: number;
  readonly term: BoundTerm;
}

function check(input: BoundInput): void {
  const { fileBytes, serverUp, peerUp, peerDown } = input;
  if (!(fileBytes > 0) || !Number.isFinite(fileBytes)) throw new ConfigError(`file size must be a positive number of bytes, got ${fileBytes}`);
  if (!(serverUp > 0)) throw new ConfigError(`server upload rate must be positive, got ${serverUp}`);
  if (peerUp.length === 0) throw new ConfigError('N must be at least 1');
  if (peerUp.length !== peerDown.length) throw new ConfigError(`peerUp has ${peerUp.length} rates but peerDown has ${peerDown.length}`);
  for (const u of peerUp) if (!(u >= 0)) throw new ConfigError(`peer upload rates must be ≥ 0, got ${u}`);
  for (const d of peerDown) if (!(d > 0)) throw new ConfigError(`peer download rates must be positive, got ${d}`);
}

function pick(terms: ReadonlyArray<readonly [BoundTerm, number]>): Bound {
  let best = terms[0] as readonly [BoundTerm, number];
  for (const t of terms) if (t[1] > best[1]) best = t;
  return { term: best[0], seconds: best[1] };
}

/** max{ N·F/u_s, F/d_min } with the binding term. */
export function clientServerBound(input: BoundInput): Bound {
  check(input);
  const n = input.peerUp.length;
  const dMin = Math.min(...input.peerDown);
  return pick([
    ['server', (n * input.fileBytes) / input.serverUp],
    ['slowest-download', input.fileBytes / dMin],
  ]);
}

/** max{ F/u_s, F/d_min, N·F/(u_s + Σu_i) } with the binding term. */
export function p2pBound(input: BoundInput): Bound {
  check(input);
  const n = input.peerUp.length;
  const dMin = Math.min(...input.peerDown);
  const total = input.serverUp + input.peerUp.reduce((a, b) => a + b, 0);
  return pick([
    ['server', input.fileBytes / input.serverUp],
    ['slowest-download', input.fileBytes / dMin],
    ['aggregate-upload', (n * input.fileBytes) / total],
  ]);
}

/** Homogeneous peers (every u_i = u, d_i = d), the case the textbook's figure draws. */
export function uniformPeers(n: number, up: number, down: number): Pick<BoundInput, 'peerUp' | 'peerDown'> {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`N must be an integer ≥ 1, got ${n}`);
  return { peerUp: new Array<number>(n).fill(up), peerDown: new Array<number>(n).fill(down) };
}

export function boundFor(mode: 'client-server' | 'p2p', input: BoundInput): Bound {
  return mode === 'client-server' ? clientServerBound(input) : p2pBound(input);
}
