/** The IPC messages between runP2P (RemotePeerHost) and a peer-host worker process. */
import type { ClientOptions } from '../../peer/session/client.ts';
import type { HostedPeer, PeerCounters } from './peer-host.ts';

/** Options a worker's clients share: plain data (no throttle, clock or randomness objects). */
export type PlainClientOptions = Pick<ClientOptions, 'host' | 'port' | 'picker' | 'choker' | 'chokerOptions' | 'sendRedundantHaves' | 'maxPeersPerTorrent' | 'maxConnections'>;

export type ToWorker =
  | { t: 'init'; torrent: Uint8Array; common: PlainClientOptions; useTracker: boolean; seed: number; peers: HostedPeer[] }
  | { t: 'online'; id: number; index: number }
  | { t: 'offline'; id: number; index: number }
  | { t: 'report'; id: number }
  | { t: 'stop'; id: number };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'ack'; id: number; error?: string }
  | { t: 'events'; events: Array<[kind: 'verified' | 'done', index: number, piece: number]> }
  | { t: 'counters'; cpuMs: number; list: Array<[index: number, counters: PeerCounters]> };
