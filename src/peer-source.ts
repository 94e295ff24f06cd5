/**
 * Where the peer client gets peer endpoints from: trackers (tracker/client.ts), the DHT, LSD,
 * PEX. A source runs on its own schedule once started and emits batches of endpoints; the
 * client dedupes them and decides whom to dial. Sources that report to someone (a tracker
 * needs uploaded/downloaded/left) read those figures through an injected `TransferStats`
 * getter, so they never reach into the torrent.
 */
import type { Endpoint } from './naming/endpoint.ts';

/** Byte counters as BEP 3 defines them; bigint because torrents can exceed 2^53 bytes. */
export interface TransferStats {
  uploaded: bigint;
  downloaded: bigint;
  left: bigint;
}

export interface PeerSourceEvents {
  /** A batch of candidate peers (may repeat earlier ones; may include ourselves). */
  peers: [peers: Endpoint[]];
  /** A non-fatal problem (tracker unreachable, `failure reason`); the source keeps trying. */
  warning: [error: Error];
}

export interface PeerSource {
  readonly name: string;
  /** Begin finding peers (idempotent). */
  start(): void;
  /** Say goodbye where the protocol has one (tracker `stopped`) and release timers/sockets. */
  stop(): Promise<void>;
  /** The download just completed (tracker `completed` event); optional for sources without one. */
  completed?(): void;
  // Spelled per event (not generic over the map) so sources may emit extra events of their own.
  on(event: 'peers', listener: (peers: Endpoint[]) => void): unknown;
  on(event: 'warning', listener: (error: Error) => void): unknown;
  off(event: 'peers', listener: (peers: Endpoint[]) => void): unknown;
  off(event: 'warning', listener: (error: Error) => void): unknown;
}
