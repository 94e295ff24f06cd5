/**
 * Outstanding block requests, indexed both ways: per peer (to cancel on choke or disconnect,
 * and to size the pipeline) and per block (to know who else was asked, for endgame cancels).
 * Also sizes a peer's pipeline and finds requests that timed out. Pure: `now` is passed in.
 */
import type { BlockRef } from './layout.ts';
import type { PeerKey } from './availability.ts';

export interface Outstanding extends BlockRef {
  readonly peer: PeerKey;
  readonly sentAt: number;
}

/** Key of a block: piece and begin are enough (the length follows from the layout). */
export function blockKey(piece: number, begin: number): string {
  return `${piece}:${begin}`;
}

export class RequestBook {
  private readonly byPeer = new Map<PeerKey, Map<string, Outstanding>>();
  private readonly byBlock = new Map<string, Map<PeerKey, Outstanding>>();

  add(peer: PeerKey, block: BlockRef, now: number): void {
    const key = blockKey(block.piece, block.begin);
    const entry: Outstanding = { peer, piece: block.piece, begin: block.begin, length: block.length, sentAt: now };
    let mine = this.byPeer.get(peer);
    if (!mine) this.byPeer.set(peer, (mine = new Map()));
    mine.set(key, entry);
    let askers = this.byBlock.get(key);
    if (!askers) this.byBlock.set(key, (askers = new Map()));
    askers.set(peer, entry);
  }

  /** Removes one request; returns it if it existed. */
  remove(peer: PeerKey, piece: number, begin: number): Outstanding | undefined {
    const key = blockKey(piece, begin);
    const entry = this.byPeer.get(peer)?.get(key);
    if (!entry) return undefined;
    this.byPeer.get(peer)?.delete(key);
    if (this.byPeer.get(peer)?.size === 0) this.byPeer.delete(peer);
    const askers = this.byBlock.get(key);
    askers?.delete(peer);
    if (askers?.size === 0) this.byBlock.delete(key);
    return entry;
  }

  /** Removes every request for a block (it arrived); returns them (the others need a CANCEL). */
  removeBlock(piece: number, begin: number): Outstanding[] {
    const askers = this.byBlock.get(blockKey(piece, begin));
    if (!askers) return [];
    const all = [...askers.values()];
    for (const o of all) this.remove(o.peer, piece, begin);
    return all;
  }

  /** Drops everything asked of a peer (choke, disconnect); returns what was dropped. */
  removePeer(peer: PeerKey): Outstanding[] {
    const mine = this.byPeer.get(peer);
    if (!mine) return [];
    const all = [...mine.values()];
    for (const o of all) this.remove(peer, o.piece, o.begin);
    return all;
  }

  has(peer: PeerKey, piece: number, begin: number): boolean {
    return this.byPeer.get(peer)?.has(blockKey(piece, begin)) ?? false;
  }

  /** How many peers were asked for a block. */
  askers(piece: number, begin: number): number {
    return this.byBlock.get(blockKey(piece, begin))?.size ?? 0;
  }

  /** When the block was first asked of anyone still holding it (Infinity if no one). */
  oldest(piece: number, begin: number): number {
    let t = Infinity;
    for (const o of this.byBlock.get(blockKey(piece, begin))?.values() ?? []) t = Math.min(t, o.sentAt);
    return t;
  }

  inFlight(peer: PeerKey): number {
    return this.byPeer.get(peer)?.size ?? 0;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byPeer.values()) n += m.size;
    return n;
  }

  requestsOf(peer: PeerKey): Outstanding[] {
    return [...(this.byPeer.get(peer)?.values() ?? [])];
  }

  /** Removes and returns requests older than `timeoutMs`, so their blocks can be asked again. */
  expire(now: number, timeoutMs: number): Outstanding[] {
    const out: Outstanding[] = [];
    for (const mine of this.byPeer.values()) for (const o of mine.values()) if (now - o.sentAt >= timeoutMs) out.push(o);
    for (const o of out) this.remove(o.peer, o.piece, o.begin);
    return out;
  }
}

export interface PipelineOptions {
  /** Seconds of data to keep in flight (covers one round trip plus queueing). */
  readonly seconds?: number;
  readonly min?: number;
  readonly max?: number;
  readonly blockSize?: number;
}

/**
 * Requests to keep in flight for a peer sending `rateBytesPerSec`: enough blocks to cover
 * ~1.5 s of its rate, so the pipe never runs dry, clamped to [4, 250] (250 is libtorrent's cap).
 */
export function pipelineDepth(rateBytesPerSec: number, options: PipelineOptions = {}): number {
  const { seconds = 1.5, min = 4, max = 250, blockSize = 16 * 1024 } = options;
  const rate = Number.isFinite(rateBytesPerSec) && rateBytesPerSec > 0 ? rateBytesPerSec : 0;
  return Math.max(min, Math.min(max, Math.ceil((rate * seconds) / blockSize)));
}
