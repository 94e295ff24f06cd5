/**
 * Serving requests: only to peers we unchoked, at most `reqq` queued per peer, one block read
 * at a time per peer and only while the socket has room (so memory stays bounded however fast
 * the disk is). A request outside the torrent or for a piece we do not have is a violation.
 *
 * "Room" is sized to the upload rate: bytes handed to a throttled connection can no longer be
 * recalled by CANCEL or CHOKE, and at 256 KiB/s a 256 KiB socket queue is a whole second of
 * blocks the peer may have got elsewhere meanwhile (measured: 6 MB of the 11 MB wasted in an
 * N=8 lab run arrived after CHOKE). So the host's rate × `queueSeconds` is shared among the
 * peers being served; requests beyond it wait in `p.uploads`, where CANCEL and CHOKE reach them.
 */
import type { Bitfield } from '../core/bitfield.ts';
import type { Layout } from '../core/layout.ts';
import type { BlockRef as WireBlock } from '../wire/messages.ts';
import type { PieceStorage } from '../../src/store/piece-storage.ts';
import type { PeerConnection } from './peer-connection.ts';

export interface UploaderDeps {
  readonly storage: PieceStorage;
  readonly layout: Layout;
  readonly have: Bitfield;
  readonly now: () => number;
  violation(p: PeerConnection, reason: string, ban: boolean): void;
  /** Payload bytes handed to the socket (the torrent's rate meter). */
  served?(bytes: number): void;
  /** Upload cap in B/s (Infinity: unthrottled); read on every block. */
  upRate?(): number;
}

export interface UploaderOptions {
  /** Most requests queued per peer (advertised as reqq). */
  readonly reqq?: number;
  /** Most bytes waiting for the socket per peer (the cap when unthrottled). */
  readonly socketBudget?: number;
  /** Seconds of the upload rate that may wait in sockets, over all peers served. */
  readonly queueSeconds?: number;
}

export class Uploader {
  uploaded = 0;
  private readonly d: UploaderDeps;
  private readonly reqq: number;
  private readonly maxBudget: number;
  private readonly queueSeconds: number;
  /** Peers in the serve loop now: they share the rate-sized budget. */
  private active = 0;

  constructor(deps: UploaderDeps, options: UploaderOptions = {}) {
    this.d = deps;
    this.reqq = options.reqq ?? 250;
    this.maxBudget = options.socketBudget ?? 256 * 1024;
    this.queueSeconds = options.queueSeconds ?? 0.15;
  }

  /** Bytes that may wait in one peer's socket before we hand it the next block. */
  budget(): number {
    const rate = this.d.upRate?.() ?? Infinity;
    if (!Number.isFinite(rate)) return this.maxBudget;
    // 0 still lets one block at a time through: the next is written once the last left.
    return Math.min(this.maxBudget, (rate * this.queueSeconds) / Math.max(1, this.active));
  }

  onRequest(p: PeerConnection, r: WireBlock): void {
    const problem = this.d.layout.requestProblem(r.index, r.begin, r.length);
    if (problem !== undefined) return this.d.violation(p, `bad request: ${problem}`, true);
    if (!this.d.have.has(r.index)) return this.d.violation(p, `request for piece ${r.index}, which we do not have`, false);
    if (p.wire.amChoking) return; // BEP 3: requests while choked are dropped
    if (p.uploads.length >= this.reqq) return; // over its queue: ignored, as libtorrent does
    p.uploads.push({ piece: r.index, begin: r.begin, length: r.length });
    void this.serve(p);
  }

  onCancel(p: PeerConnection, r: WireBlock): void {
    const i = p.uploads.findIndex((u) => u.piece === r.index && u.begin === r.begin && u.length === r.length);
    if (i >= 0) p.uploads.splice(i, 1);
  }

  /** We choked the peer: its queued requests are dropped (it re-requests after unchoke). */
  onChoke(p: PeerConnection): void {
    p.uploads.length = 0;
  }

  private async serve(p: PeerConnection): Promise<void> {
    if (p.serving) return;
    p.serving = true;
    this.active++;
    try {
      while (p.uploads.length > 0 && p.wire.isOpen && !p.wire.amChoking) {
        await p.watch.below(this.budget());
        const r = p.uploads.shift();
        if (!r || !p.wire.isOpen || p.wire.amChoking) break;
        const data = await this.d.storage.read(r.piece, r.begin, r.length);
        if (!p.wire.isOpen || p.wire.amChoking) break;
        p.wire.piece(r.piece, r.begin, data);
        p.uploaded += data.length;
        this.uploaded += data.length;
        p.upMeter.add(data.length, this.d.now());
        this.d.served?.(data.length);
      }
    } catch (e) {
      // A read failure here is ours, not the peer's: stop serving it, keep the connection.
      p.uploads.length = 0;
      void e;
    } finally {
      this.active--;
      p.serving = false;
    }
  }
}
