/**
 * What a checked piece changes: a verified one goes to the picker and the resume record and is
 * announced (HAVE) to the peers; a failed one is counted as waste and re-requested; a peer
 * proven to send bad data twice is banned. Keeps the byte counts that progress, `left` and
 * `wasted` come from. Apart from torrent.ts, which decides what completion means (seeding).
 */
import type { EventEmitter } from 'node:events';
import type { Availability } from '../core/availability.ts';
import type { Bitfield } from '../core/bitfield.ts';
import type { Layout } from '../core/layout.ts';
import type { Picker } from '../core/picker.ts';
import type { TorrentResume } from '../../src/store/resume.ts';
import type { Downloader } from './downloader.ts';
import type { PeerManager } from './peer-manager.ts';
import type { TorrentEvents } from './torrent-types.ts';

export interface PieceLedgerDeps {
  readonly layout: Layout;
  readonly resume: TorrentResume;
  readonly availability: Availability;
  readonly manager: PeerManager;
  readonly events: EventEmitter<TorrentEvents>;
  /** HAVE also to peers that have the piece (TorrentInit.sendRedundantHaves). */
  readonly redundantHaves: boolean;
  /** Absent until the torrent has checked what is on disk. */
  picker(): Picker | undefined;
  downloader(): Downloader | undefined;
  stopping(): boolean;
  /** The last piece verified. */
  completed(): void;
}

export class PieceLedger {
  /** Bytes of the pieces we have verified. */
  verifiedBytes = 0;
  /** Bytes of the pieces that failed the hash. */
  hashWasted = 0;
  private readonly d: PieceLedgerDeps;
  private readonly strikes = new Map<string, number>();

  constructor(deps: PieceLedgerDeps) {
    this.d = deps;
  }

  /** The pieces the check found on disk. */
  counted(have: Bitfield): void {
    for (const i of have) this.verifiedBytes += this.d.layout.pieceSize(i);
  }

  verified(piece: number): void {
    const { availability, events } = this.d;
    const picker = this.d.picker();
    if (!picker || this.d.stopping() || picker.have.has(piece)) return;
    picker.pieceVerified(piece);
    this.d.resume.pieceVerified(piece);
    this.verifiedBytes += this.d.layout.pieceSize(piece);
    for (const p of this.d.manager.peers.values()) {
      if (!p.wire.isOpen) continue;
      if (this.d.redundantHaves || !availability.peerHas(p.key, piece)) p.wire.have(piece);
      if (p.wire.amInterested && availability.peerHas(p.key, piece)) this.d.downloader()!.updateInterest(p);
    }
    events.emit('verified', piece);
    if (picker.isComplete) this.d.completed();
  }

  failed(piece: number, peers: string[]): void {
    const picker = this.d.picker();
    if (!picker || this.d.stopping()) return;
    picker.pieceFailed(piece);
    this.hashWasted += this.d.layout.pieceSize(piece);
    this.d.events.emit('hash-failed', piece, peers);
    for (const p of this.d.manager.peers.values()) this.d.downloader()!.fill(p);
  }

  strike(peer: string): void {
    const n = (this.strikes.get(peer) ?? 0) + 1;
    this.strikes.set(peer, n);
    const p = this.d.manager.peers.get(peer);
    if (n >= 2 && p) this.d.manager.ban(p, `sent data failing the hash check (${n} pieces)`);
  }
}
