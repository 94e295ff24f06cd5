/**
 * ut_metadata on live connections: serves our info dict when we have it (rejects otherwise) and,
 * for a magnet download, drives a MetadataFetcher over every peer that offers the metadata,
 * emitting 'metadata' once the assembled bytes hash to the infohash.
 *
 * A peer that advertises ut_metadata without metadata_size (some clients omit it) is probed with
 * a request for piece 0: its answer's total_size tells us the size. A peer whose data was wrong
 * is closed with a ProtocolError, which the session turns into a ban.
 */
import { EventEmitter } from 'node:events';
import { sha1 } from '../../src/codec/metainfo.ts';
import { ProtocolError } from '../../src/errors.ts';
import type { Endpoint } from '../../src/naming/endpoint.ts';
import type { DecodedExtensionHandshake } from '../wire/extension.ts';
import type { ExtensionPeer, WireExtension } from './types.ts';
import { MetadataFetcher, decodeMetadataMessage, encodeMetadataMessage, serveMetadataRequest, type MetadataFetcherOptions } from './ut-metadata.ts';

export interface MetadataExtensionOptions {
  infoHash: Uint8Array;
  /** Our info dict when we have it (seeding, or once fetched). */
  info?: Uint8Array;
  fetcher?: Omit<MetadataFetcherOptions, 'infoHash' | 'sha1'>;
  /** Re-check request timeouts this often while fetching (default 1 s). */
  tickMs?: number;
  now?: () => number;
}

export interface MetadataExtensionEvents {
  metadata: [info: Uint8Array];
  /** A peer was dropped for bad metadata (for logs and tests). */
  'bad-peer': [reason: string];
}

export class MetadataExtension extends EventEmitter<MetadataExtensionEvents> implements WireExtension {
  readonly name = 'ut_metadata' as const;
  private readonly fetcher: MetadataFetcher<ExtensionPeer>;
  private readonly probing = new Set<ExtensionPeer>();
  private readonly live = new Set<ExtensionPeer>();
  private readonly now: () => number;
  private readonly tickMs: number;
  private ownInfo: Uint8Array | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MetadataExtensionOptions) {
    super();
    this.ownInfo = options.info;
    this.now = options.now ?? Date.now;
    this.tickMs = options.tickMs ?? 1000;
    this.fetcher = new MetadataFetcher<ExtensionPeer>({ ...options.fetcher, infoHash: options.infoHash, sha1 });
  }

  get info(): Uint8Array | undefined {
    return this.ownInfo;
  }

  handshakeFields(): { metadataSize?: number } {
    return this.ownInfo === undefined ? {} : { metadataSize: this.ownInfo.length };
  }

  /** Start fetching: request timeouts are re-checked on a timer until the metadata is in. */
  start(): void {
    if (this.timer !== undefined || this.ownInfo !== undefined) return;
    this.timer = setInterval(() => this.pump(), this.tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  onExtensionHandshake(peer: ExtensionPeer, _remote: Endpoint, h: DecodedExtensionHandshake): void {
    this.live.add(peer);
    if (this.ownInfo !== undefined || !(h.m.get('ut_metadata') ?? 0)) return;
    if (h.metadataSize !== undefined) {
      if (!this.fetcher.addPeer(peer, h.metadataSize)) return;
      this.pump();
    } else if (!this.probing.has(peer)) {
      this.probing.add(peer);
      peer.extended('ut_metadata', encodeMetadataMessage({ type: 'request', piece: 0 }));
    }
  }

  onMessage(peer: ExtensionPeer, payload: Uint8Array): void {
    let m;
    try {
      m = decodeMetadataMessage(payload);
    } catch (e) {
      peer.close(e as Error);
      return;
    }
    switch (m.type) {
      case 'request': {
        const answer = serveMetadataRequest(this.ownInfo, m.piece);
        peer.extended('ut_metadata', encodeMetadataMessage(answer));
        return;
      }
      case 'reject':
        this.probing.delete(peer);
        this.fetcher.onReject(peer, m.piece);
        return this.pump();
      case 'data': {
        if (this.ownInfo !== undefined) return;
        if (this.probing.delete(peer) && !this.fetcher.addPeer(peer, m.totalSize)) {
          return this.drop(peer, `metadata total_size ${m.totalSize} is unusable`);
        }
        const r = this.fetcher.onData(peer, m.piece, m.totalSize, m.data);
        if (r.kind === 'bad') return this.drop(peer, r.reason);
        if (r.kind === 'mismatch') for (const p of r.ban) this.drop(p as ExtensionPeer, 'metadata does not match the infohash');
        if (r.kind === 'done') return this.finish(r.info);
        return this.pump();
      }
      case 'unknown':
        return;
    }
  }

  onClose(peer: ExtensionPeer): void {
    this.live.delete(peer);
    this.probing.delete(peer);
    this.fetcher.removePeer(peer);
    if (this.ownInfo === undefined) this.pump();
  }

  private pump(): void {
    if (this.ownInfo !== undefined) return;
    for (const { peer, piece } of this.fetcher.requests(this.now())) {
      peer.extended('ut_metadata', encodeMetadataMessage({ type: 'request', piece }));
    }
  }

  private drop(peer: ExtensionPeer, reason: string): void {
    this.fetcher.removePeer(peer);
    this.emit('bad-peer', reason);
    peer.close(new ProtocolError(reason));
  }

  private finish(info: Uint8Array): void {
    this.ownInfo = info;
    this.stop();
    this.emit('metadata', info);
  }
}
