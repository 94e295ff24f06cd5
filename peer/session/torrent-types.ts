/** The types around Torrent (its events, what the Client gives it) and waiting for completion. */
import type { EventEmitter } from 'node:events';
import type { ChokerOptions } from '../core/choker.ts';
import type { PickStrategy } from '../core/picker.ts';
import type { ExtensionRegistry } from '../wire/extension.ts';
import type { Wire, WireConnection } from '../wire/wire.ts';
import { AbortedError } from '../../src/errors.ts';
import type { Metainfo } from '../../src/codec/metainfo.ts';
import type { Endpoint } from '../../src/naming/endpoint.ts';
import type { HostThrottle } from '../../src/net/throttle.ts';
import type { PeerSource } from '../../src/peer-source.ts';
import type { Random } from '../../src/random.ts';
import type { ResumeDb } from '../../src/store/resume.ts';

export interface TorrentEvents {
  verified: [piece: number];
  done: [];
  'hash-failed': [piece: number, peers: string[]];
  'peer-banned': [address: string, reason: string];
  'peer-connected': [address: string];
  'peer-disconnected': [address: string, reason?: string];
  /** A peer is connected and its listeners attached: extensions (PEX, metadata) hook in here. */
  wire: [address: string, wire: Wire];
  warning: [error: Error];
  error: [error: Error];
}

/** What the Client gives each torrent. */
export interface TorrentDeps {
  readonly metainfo: Metainfo;
  readonly peerId: Uint8Array;
  readonly random: Random;
  readonly now: () => number;
  readonly resumeDb: ResumeDb;
  readonly extensions?: ExtensionRegistry;
  /** Wire timeouts for outgoing connections (tests shorten them). */
  readonly wireTimeouts?: { idleTimeoutMs?: number; handshakeTimeoutMs?: number };
  port(): number;
  connect(to: Endpoint, torrentThrottle: HostThrottle): Promise<WireConnection>;
  isSelf(to: Endpoint): boolean;
  /** The host's upload cap in B/s (Infinity if none): sizes the per-peer send queue. */
  hostUpRate?(): number;
  globalRoom(): boolean;
}

/** What `Client.add` takes for one torrent. */
export interface AddOptions {
  /** Files are written under it (resolveInside), never outside. */
  downloadDir: string;
  /** Use the torrent's announce/announce-list (default true). */
  trackers?: boolean;
  /** Dial these directly (tests, x.pe). */
  peers?: Endpoint[];
  /** Extra peer sources (DHT, LSD, PEX). */
  sources?: PeerSource[];
  /** Verify from disk instead of trusting resume data. */
  recheck?: boolean;
  /** The data is expected complete (the seed command). */
  seed?: boolean;
  paused?: boolean;
  /** Per-torrent caps in B/s (0/undefined = none). */
  upload?: number;
  download?: number;
}

/** AddOptions plus what the client decides for every torrent. */
export interface TorrentInit extends AddOptions {
  maxPeers?: number;
  picker?: PickStrategy;
  choker?: 'tit-for-tat' | 'unchoke-all';
  chokerOptions?: Partial<ChokerOptions>;
  freeRider?: boolean;
  /**
   * Send HAVE to peers that have the piece too (default true, as libtorrent's
   * send_redundant_have). False halves the N² HAVE traffic of a big swarm — at N = 64 in one
   * process that took the lab from 2.1 to 1.6 × the bound — but peers then see our progress only
   * on pieces they lack.
   */
  sendRedundantHaves?: boolean;
  /** The address trackers are asked to list us under (ClientOptions.announceIp). */
  announceIp?: string;
  requestTimeoutMs?: number;
  /** Engine tick (request expiry, dialing, rechoke checks); default 250 ms. */
  tickMs?: number;
}

/** Resolves on 'done', rejects on 'error' or abort. */
export function untilDone(t: EventEmitter<TorrentEvents>, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      t.off('done', onDone);
      t.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onDone = (): void => (cleanup(), resolve());
    const onError = (e: Error): void => (cleanup(), reject(e));
    const onAbort = (): void => (cleanup(), reject(new AbortedError('wait aborted', { cause: signal?.reason })));
    if (signal?.aborted) return onAbort();
    t.on('done', onDone);
    t.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
