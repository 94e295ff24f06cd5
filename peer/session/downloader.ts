/**
 * Request filling and block arrival: keeps each unchoking peer's pipeline full (depth sized to
 * its rate, capped by its reqq), hands arriving blocks to the verifier, cancels endgame
 * duplicates, re-requests what timed out, and keeps INTERESTED true iff the peer has a piece
 * we lack. The decisions are the Picker's; this file only moves messages.
 */
import { blockKey, pipelineDepth } from '../core/request-book.ts';
import type { Picker } from '../core/picker.ts';
import type { PeerConnection } from './peer-connection.ts';
import type { PieceVerifier } from './piece-verifier.ts';
import type { WasteBy } from './torrent-stats.ts';

export interface DownloaderDeps {
  readonly picker: Picker;
  readonly verifier: PieceVerifier;
  readonly now: () => number;
  peer(key: string): PeerConnection | undefined;
  /** Pieces verified before this session began (a block for one of them is a re-fetch). */
  readonly startedWith: { has(i: number): boolean };
  /** A protocol violation worth a drop (not a ban). */
  drop(p: PeerConnection, reason: string): void;
}

/**
 * Requests in flight per peer: 0.5 s of its measured rate, at least 2 (reqq caps fast links).
 * Each one holds a block no other peer may fetch and waits in the peer's upload queue behind
 * every other requester's: a deeper pipeline keeps no link busier, it only makes the last
 * blocks late. Lab swarm N=32 (u_s = 10u): 1 s / at least 4 → 1.15 × the bound, 0.5 s / 2 →
 * 1.12; earlier, 1.5 s / at least 8 left 2× more duplicates.
 */
const PIPELINE = { seconds: 0.5, min: 2 } as const;

export class Downloader {
  wasted = 0;
  /** `wasted` by cause (hash failures are the torrent's, counted there). */
  readonly wasteBy: Omit<WasteBy, 'hash'> = { choked: 0, endgame: 0, timeout: 0 };
  refetched = 0;
  downloaded = 0;
  active = true;
  private readonly d: DownloaderDeps;
  /** Blocks we released (peer choked us) whose data may still be on the wire. */
  private readonly released = new Map<string, Set<string>>();
  /** Blocks we sent CANCEL for (a copy arriving anyway is an endgame duplicate); bounded. */
  private readonly cancelled = new Map<string, Set<string>>();

  constructor(deps: DownloaderDeps) {
    this.d = deps;
  }

  /** Ask for more blocks if the peer lets us and the pipeline has room. */
  fill(p: PeerConnection): void {
    const { picker } = this.d;
    if (!this.active || !p.wire.isOpen || p.wire.peerChoking || !p.wire.amInterested || picker.isComplete) return;
    const now = this.d.now();
    const depth = Math.min(pipelineDepth(p.downMeter.rate(now), PIPELINE), p.remoteReqq);
    const want = depth - picker.book.inFlight(p.key);
    if (want <= 0) return;
    for (const r of picker.pickBlocks(p.key, want, now)) p.wire.request({ index: r.piece, begin: r.begin, length: r.length });
  }

  /** Interested iff the peer has something we lack (call after its bitfield/have, or our verify). */
  updateInterest(p: PeerConnection): void {
    if (!p.wire.isOpen) return;
    const want = this.active && !this.d.picker.isComplete && this.d.picker.isInteresting(p.key);
    if (want && !p.wire.amInterested) p.wire.interested();
    else if (!want && p.wire.amInterested) p.wire.notInterested();
    if (want) this.fill(p);
  }

  /** A HAVE: O(1) interest check instead of a scan. */
  onHave(p: PeerConnection, index: number): void {
    if (!p.wire.amInterested && this.active && !this.d.picker.have.has(index)) p.wire.interested();
    this.fill(p);
  }

  onChoke(p: PeerConnection): void {
    // Its blocks may still be on the wire: stale, asked elsewhere last, taken if they come.
    const gone = this.d.picker.releasePeer(p.key, true);
    if (gone.length > 0) {
      let set = this.released.get(p.key);
      if (!set) this.released.set(p.key, (set = new Set()));
      for (const o of gone) set.add(blockKey(o.piece, o.begin));
    }
  }

  onPiece(p: PeerConnection, piece: number, begin: number, block: Uint8Array): void {
    const now = this.d.now();
    // Still in the book: asked of several peers (endgame); otherwise its request had expired.
    const stillAsked = this.d.picker.book.has(p.key, piece, begin);
    const arrival = this.d.picker.blockReceived(p.key, piece, begin, block.length);
    if (arrival.kind === 'unrequested') {
      // Data already on the wire when the peer choked us is late, not hostile.
      if (this.released.get(p.key)?.delete(blockKey(piece, begin))) {
        this.wasted += block.length;
        this.wasteBy.choked += block.length;
        return;
      }
      this.d.drop(p, `sent piece ${piece} offset ${begin} (${block.length} bytes) that we did not request`);
      return;
    }
    p.downMeter.add(block.length, now);
    p.lastBlockAt = now;
    p.snubbed = false;
    if (arrival.kind === 'duplicate') {
      this.wasted += block.length;
      if (stillAsked) this.wasteBy.endgame += block.length;
      else if (this.released.get(p.key)?.delete(blockKey(piece, begin))) this.wasteBy.choked += block.length;
      else if (this.cancelled.get(p.key)?.delete(blockKey(piece, begin))) this.wasteBy.endgame += block.length;
      else this.wasteBy.timeout += block.length;
      this.fill(p);
      return;
    }
    p.downloaded += block.length;
    this.downloaded += block.length;
    if (this.d.startedWith.has(piece)) this.refetched += block.length;
    for (const o of arrival.cancels) {
      const other = this.d.peer(o.peer);
      if (!other?.wire.isOpen) continue;
      other.wire.cancel({ index: o.piece, begin: o.begin, length: o.length });
      let set = this.cancelled.get(o.peer);
      if (!set) this.cancelled.set(o.peer, (set = new Set()));
      if (set.size >= 1024) set.clear(); // a peer that honours CANCELs never sends these
      set.add(blockKey(o.piece, o.begin));
    }
    // The block may be a view of a socket chunk that is never reused: writing it is safe.
    this.d.verifier.write(p.key, piece, begin, block);
    if (arrival.pieceComplete) void this.d.verifier.complete(piece);
    this.fill(p);
  }

  /** Requests older than the timeout are asked of someone else (late data is still taken). */
  expire(timeoutMs: number): void {
    for (const o of this.d.picker.expireRequests(this.d.now(), timeoutMs)) {
      const p = this.d.peer(o.peer);
      if (p) p.timeouts++;
    }
  }

  forget(p: PeerConnection): void {
    this.d.picker.releasePeer(p.key);
    this.released.delete(p.key);
    this.cancelled.delete(p.key);
  }
}
