/**
 * A connected peer's wire messages routed to the parts that act on them — its pieces to the
 * availability map, choke/unchoke/piece to the downloader, requests to the uploader, interest
 * to the choker — and the cleanup when it goes (a ban if it broke the protocol). Apart from
 * torrent.ts, which composes those parts and owns the torrent's lifecycle.
 */
import type { EventEmitter } from 'node:events';
import type { Availability } from '../core/availability.ts';
import { Bitfield } from '../core/bitfield.ts';
import { FrameTooLargeError, ProtocolError } from '../../src/errors.ts';
import type { Choking } from './choking.ts';
import type { Downloader } from './downloader.ts';
import type { PeerConnection } from './peer-connection.ts';
import type { PeerManager } from './peer-manager.ts';
import type { TorrentEvents } from './torrent-types.ts';
import type { Uploader } from './uploader.ts';

export interface PeerWiringDeps {
  readonly pieceCount: number;
  readonly availability: Availability;
  readonly choking: Choking;
  readonly manager: PeerManager;
  readonly events: EventEmitter<TorrentEvents>;
  /** Absent until the torrent has checked what is on disk. */
  downloader(): Downloader | undefined;
  uploader(): Uploader | undefined;
  /** Our verified pieces (peers attach only after the check). */
  have(): Bitfield;
  done(): boolean;
  /** Payload bytes arrived (the torrent's download meter). */
  received(bytes: number): void;
}

export class PeerWiring {
  private readonly d: PeerWiringDeps;

  constructor(deps: PeerWiringDeps) {
    this.d = deps;
  }

  attach(p: PeerConnection): void {
    const { availability, choking, events } = this.d;
    const w = p.wire;
    const n = this.d.pieceCount;
    const down = this.d.downloader()!;
    const up = this.d.uploader()!;
    availability.setBitfield(p.key, new Bitfield(n));
    w.on('bitfield', (bits) => {
      availability.setBitfield(p.key, Bitfield.fromBytes(bits, n));
      if (!this.bothSeeds(p)) down.updateInterest(p);
    });
    w.on('have', (i) => {
      availability.have(p.key, i);
      if (!this.bothSeeds(p)) down.onHave(p, i);
    });
    w.on('choke', () => down.onChoke(p));
    w.on('unchoke', () => down.fill(p));
    w.on('interested', () => choking.soon());
    w.on('not-interested', () => {
      if (!w.amChoking) choking.soon();
    });
    w.on('request', (r) => up.onRequest(p, r));
    w.on('cancel', (r) => up.onCancel(p, r));
    w.on('piece', (i, begin, block) => {
      this.d.received(block.length);
      down.onPiece(p, i, begin, block);
    });
    const have = this.d.have();
    if (have.count > 0) w.bitfield(have.toBytes());
    events.emit('peer-connected', p.key);
    events.emit('wire', p.key, w);
  }

  detach(p: PeerConnection, reason: Error | undefined): void {
    const { manager, events } = this.d;
    this.d.availability.removePeer(p.key);
    this.d.downloader()?.forget(p);
    this.d.uploader()?.forget(p);
    // Broken protocol (bad index, bitfield, lengths, oversized frames) is a ban, not a retry.
    const broke = reason instanceof ProtocolError || reason instanceof FrameTooLargeError;
    if (broke && !manager.isBanned(p.key)) {
      manager.bans.set(p.key, reason.message);
      if (p.peerIdHex) manager.bans.set(`id:${p.peerIdHex}`, reason.message);
      events.emit('peer-banned', p.key, reason.message);
    }
    events.emit('peer-disconnected', p.key, reason?.message);
    if (!p.wire.amChoking) this.d.choking.soon();
  }

  /** Two seeds have nothing to trade: close. */
  bothSeeds(p: PeerConnection): boolean {
    if (!this.d.done() || !this.d.availability.bitfieldOf(p.key)?.isComplete) return false;
    p.wire.close();
    return true;
  }
}
