/**
 * Serving requests: only to peers we unchoked, at most `reqq` queued per peer. A request
 * outside the torrent or for a piece we do not have is a violation.
 *
 * One send window per torrent, sized to the upload rate: bytes handed to a throttled
 * connection can no longer be recalled by CANCEL or CHOKE, and every REQUEST/CANCEL/HAVE we
 * send waits behind them in the host's throttle. With a 256 KiB queue per connection at
 * 256 KiB/s, a CHOKE'd peer kept receiving blocks for over a second (measured: 6 MB of the
 * 11 MB wasted in an N=8 lab run arrived after CHOKE). So only rate × `queueSeconds` bytes (at
 * least one block) wait in sockets; other requests wait in `p.uploads`, where CANCEL and CHOKE
 * still reach them, and peers take turns (round robin). Unthrottled, each socket may hold
 * `socketBudget` bytes so a fast link never runs dry. Blocks come from a PieceCache (one disk
 * read per piece, blocks served as views), usually synchronously.
 */
import type { Bitfield } from '../core/bitfield.ts';
import type { BlockRef, Layout } from '../core/layout.ts';
import type { BlockRef as WireBlock } from '../wire/messages.ts';
import type { PieceStorage } from '../../src/store/piece-storage.ts';
import type { PeerConnection } from './peer-connection.ts';
import { PieceCache } from './piece-cache.ts';

/** Queued requests examined per block for read-ahead (a few 256 KiB pieces' worth). */
const READ_AHEAD_SCAN = 64;

export interface UploaderDeps {
  readonly storage: PieceStorage;
  readonly layout: Layout;
  readonly have: Bitfield;
  readonly now: () => number;
  violation(p: PeerConnection, reason: string, ban: boolean): void;
  /** Payload bytes handed to the socket (the torrent's rate meter). */
  served?(bytes: number): void;
  /** Upload cap in B/s (Infinity: unthrottled); read on every refill. */
  upRate?(): number;
}

export interface UploaderOptions {
  /** Most requests queued per peer (advertised as reqq). */
  readonly reqq?: number;
  /** Most bytes waiting in one peer's socket. */
  readonly socketBudget?: number;
  /** Seconds of the upload rate that may wait in sockets, all peers together. */
  readonly queueSeconds?: number;
  /** Most pieces read ahead of serving at once (requested, not yet due). */
  readonly readAhead?: number;
  /** Bytes of whole pieces kept for serving. */
  readonly cacheBytes?: number;
}

export class Uploader {
  uploaded = 0;
  readonly cache: PieceCache;
  private readonly d: UploaderDeps;
  private readonly reqq: number;
  private readonly maxBudget: number;
  private readonly queueSeconds: number;
  private readonly readAhead: number;
  /** Peers with requests to serve, in turn order. */
  private readonly ready = new Set<PeerConnection>();
  /** Peers whose sockets hold blocks we sent (their watch.pending counts toward the window). */
  private readonly sending = new Set<PeerConnection>();
  /** Bytes of blocks being read from disk, per peer. */
  private readonly reading = new Map<PeerConnection, number>();
  private readingTotal = 0;
  private pumping = false;

  constructor(deps: UploaderDeps, options: UploaderOptions = {}) {
    this.d = deps;
    this.reqq = options.reqq ?? 250;
    this.maxBudget = options.socketBudget ?? 256 * 1024;
    this.queueSeconds = options.queueSeconds ?? 0.15;
    this.readAhead = options.readAhead ?? 4;
    this.cache = new PieceCache(deps.storage, options.cacheBytes !== undefined ? { maxBytes: options.cacheBytes } : {});
  }

  /** Bytes that may wait in sockets, over all peers (Infinity when unthrottled). */
  window(): number {
    const rate = this.d.upRate?.() ?? Infinity;
    return Number.isFinite(rate) ? rate * this.queueSeconds : Infinity;
  }

  onRequest(p: PeerConnection, r: WireBlock): void {
    const problem = this.d.layout.requestProblem(r.index, r.begin, r.length);
    if (problem !== undefined) return this.d.violation(p, `bad request: ${problem}`, true);
    if (!this.d.have.has(r.index)) return this.d.violation(p, `request for piece ${r.index}, which we do not have`, false);
    if (p.wire.amChoking) return; // BEP 3: requests while choked are dropped
    if (p.uploads.length >= this.reqq) return; // over its queue: ignored, as libtorrent does
    p.uploads.push({ piece: r.index, begin: r.begin, length: r.length });
    // Read ahead: the disk read overlaps sending what is queued before it.
    if (this.cache.readingCount < this.readAhead) this.cache.prefetch(r.index);
    this.ready.add(p);
    this.pump();
  }

  onCancel(p: PeerConnection, r: WireBlock): void {
    const i = p.uploads.findIndex((u) => u.piece === r.index && u.begin === r.begin && u.length === r.length);
    if (i >= 0) p.uploads.splice(i, 1);
  }

  /** We choked the peer: its queued requests are dropped (it re-requests after unchoke). */
  onChoke(p: PeerConnection): void {
    p.uploads.length = 0;
    this.ready.delete(p);
  }

  /** The peer is gone. */
  forget(p: PeerConnection): void {
    p.uploads.length = 0;
    this.ready.delete(p);
    this.sending.delete(p);
  }

  /** Hands blocks to sockets while the window has room, one peer at a time in turn. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const total = this.window();
      const perPeer = Math.min(this.maxBudget, total);
      let inPipe = this.inPipe();
      let skipped = 0;
      // `<`: an empty window always lets one block through, however slow the link.
      while (this.ready.size > skipped && inPipe < total) {
        const p = this.ready.values().next().value as PeerConnection;
        this.ready.delete(p);
        if (!p.wire.isOpen || p.wire.amChoking || p.uploads.length === 0) continue;
        const queued = p.watch.pending + (this.reading.get(p) ?? 0);
        if (queued > 0 && queued >= perPeer) {
          this.ready.add(p); // its socket is full: its next write's completion pumps again
          this.watch(p);
          skipped++;
          continue;
        }
        const r = p.uploads.shift() as BlockRef;
        if (p.uploads.length > 0) this.ready.add(p);
        const hit = this.cache.peek(r.piece, r.begin, r.length);
        if (hit) this.send(p, r, hit);
        else this.read(p, r);
        this.readAheadFor(p);
        inPipe += r.length;
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Starts disk reads of the next pieces in the peer's queue, so they are cached by the time
   * their turn comes: one read at a time per peer left the link idle while the disk worked.
   * Looks only a few pieces' worth of requests ahead (bounded work per block sent).
   */
  private readAheadFor(p: PeerConnection): void {
    const q = p.uploads;
    const end = Math.min(q.length, READ_AHEAD_SCAN);
    let last = -1;
    for (let i = 0; i < end && this.cache.readingCount < this.readAhead; i++) {
      const piece = (q[i] as BlockRef).piece;
      if (piece === last) continue;
      last = piece;
      this.cache.prefetch(piece);
    }
  }

  private read(p: PeerConnection, r: BlockRef): void {
    this.reading.set(p, (this.reading.get(p) ?? 0) + r.length);
    this.readingTotal += r.length;
    const settle = (): void => {
      this.readingTotal -= r.length;
      const left = (this.reading.get(p) ?? 0) - r.length;
      if (left > 0) this.reading.set(p, left);
      else this.reading.delete(p);
    };
    this.cache.block(r.piece, r.begin, r.length).then(
      (data) => {
        settle();
        if (p.wire.isOpen && !p.wire.amChoking) this.send(p, r, data);
        this.pump();
      },
      () => {
        // A read failure is ours, not the peer's: stop serving it, keep the connection.
        settle();
        this.onChoke(p);
        this.pump();
      },
    );
  }

  private send(p: PeerConnection, r: BlockRef, data: Uint8Array): void {
    this.watch(p);
    p.wire.piece(r.piece, r.begin, data);
    p.uploaded += data.length;
    this.uploaded += data.length;
    p.upMeter.add(data.length, this.d.now());
    this.d.served?.(data.length);
  }

  private watch(p: PeerConnection): void {
    if (this.sending.has(p)) return;
    this.sending.add(p);
    p.watch.onWritten = () => {
      if (p.watch.pending === 0) this.sending.delete(p);
      this.pump();
    };
  }

  private inPipe(): number {
    let n = this.readingTotal;
    for (const p of this.sending) n += p.watch.pending;
    return n;
  }
}
