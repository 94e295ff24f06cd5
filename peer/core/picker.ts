/**
 * The piece picker: which blocks to ask a given peer for next.
 *
 * Order of preference, as in the textbook and libtorrent:
 *  1. blocks of pieces already started (finished pieces can be shared and verified, half
 *     pieces are worth nothing), rarest started piece first — unless the peer has a strictly
 *     rarer new piece and we have fewer than `partialCap` started (then 2 goes first, so a
 *     seed's upload goes to pieces only it has, not to finishing common ones);
 *  2. a new piece the peer has: at random while we have fewer than `randomFirst` pieces (a
 *     newcomer needs *something* to trade, quickly), then rarest first with random ties;
 *  3. "stale" blocks: asked of a peer that then choked us or timed out. Its copy may still be
 *     on the wire (a REQUEST can sit behind throttled data for a second), so they are asked
 *     again only when no fresh block or new piece is left — re-asking them first was the
 *     largest source of duplicates in lab swarms — and a late copy is still accepted;
 *  4. endgame: once every missing block has been requested, a peer with nothing in flight asks
 *     for a few blocks already in flight elsewhere (fewest askers, oldest request first), and
 *     the duplicates are cancelled when the first copy arrives. Asking only when idle keeps
 *     duplicates to what an otherwise idle link can carry.
 * `random` and `sequential` strategies exist for the lab's ablations. Pure: no I/O, no timers.
 */
import type { Random } from '../../src/random.ts';
import type { Availability, PeerKey } from './availability.ts';
import { Bitfield } from './bitfield.ts';
import type { BlockRef } from './layout.ts';
import { RequestBook, blockKey, type Outstanding } from './request-book.ts';

export type PickStrategy = 'rarest-first' | 'random' | 'sequential';

/** The slice of Layout the picker needs. */
export interface PieceGeometry {
  readonly pieceCount: number;
  blockCount(piece: number): number;
  block(piece: number, index: number): BlockRef;
  readonly blockSize: number;
}

export interface PickerOptions {
  readonly strategy?: PickStrategy;
  /** Until we have this many pieces, new pieces are chosen at random (rarest-first only). */
  readonly randomFirst?: number;
  readonly endgame?: boolean;
  /** In endgame, at most this many peers are asked for the same block. */
  readonly endgameMaxAskers?: number;
  /** In endgame, at most this many duplicates asked of an idle peer at once. */
  readonly endgameBatch?: number;
  /** In endgame, a block is duplicated only once its oldest request is this old (ms). */
  readonly endgameMinAgeMs?: number;
  /**
   * Started pieces beyond which finishing one always goes before starting a rarer one (the
   * effective cap is at least 1.5 × the peers we know, as libtorrent's).
   */
  readonly partialCap?: number;
}

export type BlockArrival =
  /** We never asked this peer for this block: a protocol violation. */
  | { readonly kind: 'unrequested' }
  /** We already had it (a late endgame duplicate): harmless, drop the data. */
  | { readonly kind: 'duplicate' }
  /** New data: write it; send CANCEL for `cancels`; verify the piece if `pieceComplete`. */
  | { readonly kind: 'accepted'; readonly cancels: readonly Outstanding[]; readonly pieceComplete: boolean };

interface PieceState {
  readonly received: Uint8Array;
  /** How many peers have an outstanding request for each block. */
  readonly asked: Uint16Array;
  receivedCount: number;
  /** Blocks neither received nor asked for: lets the scan skip busy pieces in O(1). */
  free: number;
  /** 1 once a request for the block was lost to a choke or timeout (its copy may still come). */
  readonly stale: Uint8Array;
  /** Free blocks that are not stale: the ones to ask first. */
  fresh: number;
  readonly contributors: Set<PeerKey>;
}

export class Picker {
  readonly have: Bitfield;
  readonly book = new RequestBook();
  private readonly geometry: PieceGeometry;
  private readonly availability: Availability;
  private readonly random: Random;
  private readonly strategy: PickStrategy;
  private readonly randomFirst: number;
  private readonly endgameEnabled: boolean;
  private readonly maxAskers: number;
  private readonly endgameBatch: number;
  private readonly endgameMinAge: number;
  private readonly partialCap: number;
  /** Started, unverified pieces in the order they were started. */
  private readonly partial = new Map<number, PieceState>();
  /** Requests that timed out: still accepted if the data turns up late. */
  private readonly expired = new Map<PeerKey, Set<string>>();

  constructor(
    deps: { geometry: PieceGeometry; availability: Availability; random: Random; have?: Bitfield },
    options: PickerOptions = {},
  ) {
    this.geometry = deps.geometry;
    this.availability = deps.availability;
    this.random = deps.random;
    this.have = deps.have ? deps.have.clone() : new Bitfield(deps.geometry.pieceCount);
    if (this.have.size !== deps.geometry.pieceCount) throw new RangeError('have bitfield does not match the torrent');
    this.strategy = options.strategy ?? 'rarest-first';
    this.randomFirst = options.randomFirst ?? 4;
    this.endgameEnabled = options.endgame ?? true;
    this.maxAskers = Math.min(255, Math.max(1, options.endgameMaxAskers ?? 2));
    this.endgameBatch = Math.max(1, options.endgameBatch ?? 4);
    this.endgameMinAge = Math.max(0, options.endgameMinAgeMs ?? 0);
    this.partialCap = Math.max(1, options.partialCap ?? 8);
  }

  get isComplete(): boolean {
    return this.have.isComplete;
  }

  /** True when no missing block is left unrequested (the endgame condition). */
  get inEndgame(): boolean {
    if (this.have.count + this.partial.size < this.geometry.pieceCount) return false;
    for (const st of this.partial.values()) if (st.free > 0) return false;
    return !this.have.isComplete;
  }

  /** Started pieces (for the TUI and tests). */
  partialPieces(): number[] {
    return [...this.partial.keys()];
  }

  /** Does the peer have anything we lack? (Decides INTERESTED / NOT_INTERESTED.) */
  isInteresting(peer: PeerKey): boolean {
    const bf = this.availability.bitfieldOf(peer);
    if (!bf) return false;
    for (const i of bf) if (!this.have.has(i)) return true;
    return false;
  }

  /** Up to `count` blocks to request from `peer` now; they are recorded as outstanding. */
  pickBlocks(peer: PeerKey, count: number, now: number): BlockRef[] {
    const out: BlockRef[] = [];
    const theirs = this.availability.bitfieldOf(peer);
    if (!theirs || count <= 0) return out;
    // Started pieces this peer can help finish, rarest first when rarity decides.
    const rarity = this.rarityPhase();
    const started: number[] = [];
    for (const [piece, st] of this.partial) if (st.fresh > 0 && theirs.has(piece)) started.push(piece);
    if (rarity) started.sort((a, b) => this.availability.count(a) - this.availability.count(b));
    // Started pieces win, except over a strictly rarer new piece while the started ones are
    // few: otherwise a peer holding rare pieces (a seed) spends its upload finishing pieces
    // the swarm already has. Too many started pieces and they win outright (half pieces are
    // worth nothing to trade).
    const tooMany = this.partial.size >= Math.max(this.partialCap, Math.ceil(1.5 * this.availability.peerCount));
    let next: number | undefined | null = null; // null: not looked for yet (the scan is O(pieces))
    let si = 0;
    while (out.length < count) {
      const part = started[si];
      let startNew = part === undefined;
      // Only a started piece others also have can be beaten by a rarer one: no scan otherwise.
      if (part !== undefined && rarity && !tooMany && this.availability.count(part) > 1) {
        if (next === null) next = this.choosePiece(theirs);
        startNew = next !== undefined && this.availability.count(next) < this.availability.count(part);
      }
      if (startNew) {
        if (next === null) next = this.choosePiece(theirs);
        if (next === undefined) break;
        const piece = next;
        next = null;
        const n = this.geometry.blockCount(piece);
        const st: PieceState = { received: new Uint8Array(n), asked: new Uint16Array(n), receivedCount: 0, free: n, stale: new Uint8Array(n), fresh: n, contributors: new Set() };
        this.partial.set(piece, st);
        this.takeFree(peer, piece, st, count, out, now, false);
      } else {
        si++;
        this.takeFree(peer, part as number, this.partial.get(part as number) as PieceState, count, out, now, false);
      }
    }
    for (const [piece, st] of this.partial) {
      if (out.length >= count) return out;
      if (st.free > 0 && theirs.has(piece)) this.takeFree(peer, piece, st, count, out, now, true);
    }
    if (out.length < count && this.book.inFlight(peer) === 0 && this.endgameEnabled && this.inEndgame) this.takeEndgame(peer, theirs, Math.min(count - out.length, this.endgameBatch), out, now);
    return out;
  }

  /** A PIECE message's block arrived from `peer`. */
  blockReceived(peer: PeerKey, piece: number, begin: number, length: number): BlockArrival {
    const st = this.partial.get(piece);
    const index = Math.floor(begin / this.geometry.blockSize);
    const asked = this.book.has(peer, piece, begin) || (this.expired.get(peer)?.has(blockKey(piece, begin)) ?? false);
    if (!asked) return this.have.has(piece) || (st?.received[index] ?? 0) ? { kind: 'duplicate' } : { kind: 'unrequested' };
    this.expired.get(peer)?.delete(blockKey(piece, begin));
    if (!st || this.have.has(piece) || st.received[index]) {
      this.book.remove(peer, piece, begin);
      if (st) this.unask(st, index);
      return { kind: 'duplicate' };
    }
    const ref = this.geometry.block(piece, index);
    if (ref.begin !== begin || ref.length !== length) {
      this.book.remove(peer, piece, begin);
      this.unask(st, index);
      return { kind: 'unrequested' };
    }
    const all = this.book.removeBlock(piece, begin);
    if (st.asked[index] === 0) {
      st.free--; // arrived late after a timeout or choke: it was counted free
      if (!st.stale[index]) st.fresh--;
    }
    st.asked[index] = 0;
    st.received[index] = 1;
    st.receivedCount++;
    st.contributors.add(peer);
    const cancels = all.filter((o) => o.peer !== peer);
    return { kind: 'accepted', cancels, pieceComplete: st.receivedCount === st.received.length };
  }

  /** The piece passed its hash check. */
  pieceVerified(piece: number): void {
    this.have.set(piece);
    this.dropPiece(piece);
  }

  /** The piece failed its hash check: start it over. Returns the peers that sent its blocks. */
  pieceFailed(piece: number): PeerKey[] {
    const who = [...(this.partial.get(piece)?.contributors ?? [])];
    this.dropPiece(piece);
    return who;
  }

  /**
   * Choke or disconnect: forget everything asked of `peer` so others can be asked. After a
   * choke (`lateOk`) the blocks may still arrive: they become stale (asked elsewhere only when
   * nothing fresher is left) and a late copy is accepted.
   */
  releasePeer(peer: PeerKey, lateOk = false): Outstanding[] {
    if (!lateOk) this.expired.delete(peer);
    const dropped = this.book.removePeer(peer);
    for (const o of dropped) {
      if (lateOk) this.markLate(o);
      else this.unaskRef(o);
    }
    return dropped;
  }

  /** A REJECT_REQUEST (BEP 6) or a request we gave up on for one block. */
  releaseBlock(peer: PeerKey, piece: number, begin: number): void {
    const o = this.book.remove(peer, piece, begin);
    if (o) this.unaskRef(o);
  }

  /**
   * Requests older than `timeoutMs` become free to ask elsewhere; their data is still taken if
   * it arrives late. Returns them (the shell may count a timeout against the peer).
   */
  expireRequests(now: number, timeoutMs: number): Outstanding[] {
    const gone = this.book.expire(now, timeoutMs);
    for (const o of gone) this.markLate(o);
    return gone;
  }

  /** A request we stop counting on but whose data may still come: stale, accepted late. */
  private markLate(o: Outstanding): void {
    const st = this.partial.get(o.piece);
    if (st) {
      const b = Math.floor(o.begin / this.geometry.blockSize);
      if (!st.received[b]) st.stale[b] = 1;
      this.unask(st, b);
    }
    let set = this.expired.get(o.peer);
    if (!set) this.expired.set(o.peer, (set = new Set()));
    set.add(blockKey(o.piece, o.begin));
  }

  private takeFree(peer: PeerKey, piece: number, st: PieceState, count: number, out: BlockRef[], now: number, staleToo: boolean): void {
    for (let b = 0; b < st.received.length && out.length < count && (staleToo ? st.free : st.fresh) > 0; b++) {
      if (st.received[b] || st.asked[b] || (st.stale[b] && !staleToo)) continue;
      const ref = this.geometry.block(piece, b);
      this.ask(peer, st, b, ref, now);
      out.push(ref);
    }
  }

  private takeEndgame(peer: PeerKey, theirs: Bitfield, count: number, out: BlockRef[], now: number): void {
    // Least-asked blocks first, then the longest outstanding: the likeliest stragglers.
    const cands: { piece: number; b: number; st: PieceState; since: number }[] = [];
    for (const [piece, st] of this.partial) {
      if (!theirs.has(piece)) continue;
      for (let b = 0; b < st.received.length; b++) {
        if (st.received[b] || (st.asked[b] as number) >= this.maxAskers) continue;
        const begin = b * this.geometry.blockSize;
        if (this.book.has(peer, piece, begin)) continue;
        const since = this.book.oldest(piece, begin);
        // A young request is likely on its way: a duplicate would mostly be wasted.
        if (now - since < this.endgameMinAge) continue;
        cands.push({ piece, b, st, since });
      }
    }
    cands.sort((x, y) => (x.st.asked[x.b] as number) - (y.st.asked[y.b] as number) || x.since - y.since);
    for (const c of cands) {
      if (out.length >= count) break;
      const ref = this.geometry.block(c.piece, c.b);
      this.ask(peer, c.st, c.b, ref, now);
      out.push(ref);
    }
  }

  private ask(peer: PeerKey, st: PieceState, b: number, ref: BlockRef, now: number): void {
    if (st.asked[b] === 0) {
      st.free--;
      if (!st.stale[b]) st.fresh--;
    }
    st.asked[b] = (st.asked[b] as number) + 1;
    this.book.add(peer, ref, now);
  }

  private unaskRef(o: Outstanding): void {
    const st = this.partial.get(o.piece);
    if (st) this.unask(st, Math.floor(o.begin / this.geometry.blockSize));
  }

  private unask(st: PieceState, b: number): void {
    if (!st.asked[b]) return;
    st.asked[b] = (st.asked[b] as number) - 1;
    if (st.asked[b] === 0 && !st.received[b]) {
      st.free++;
      if (!st.stale[b]) st.fresh++;
    }
  }

  private dropPiece(piece: number): void {
    const st = this.partial.get(piece);
    if (!st) return;
    for (let b = 0; b < st.received.length; b++) {
      const begin = this.geometry.block(piece, b).begin;
      this.book.removeBlock(piece, begin);
      // Late-acceptance marks of every peer (stale ones included): the piece is settled.
      for (const set of this.expired.values()) set.delete(blockKey(piece, begin));
    }
    this.partial.delete(piece);
  }

  /** Does rarity order the picks now (rarest first, past the random first pieces)? */
  private rarityPhase(): boolean {
    return this.strategy === 'rarest-first' && this.have.count >= this.randomFirst;
  }

  /** A new piece for a peer with bitfield `theirs`, per the strategy; undefined if none. */
  private choosePiece(theirs: Bitfield): number | undefined {
    const randomPhase = this.strategy === 'random' || (this.strategy === 'rarest-first' && !this.rarityPhase());
    let best: number | undefined;
    let bestAvail = Infinity;
    let ties = 0;
    // A plain index loop: this scan runs once per started piece and dominates the picker's cost.
    for (let i = 0; i < theirs.size; i++) {
      if (!theirs.has(i) || this.have.has(i) || this.partial.has(i)) continue;
      if (this.strategy === 'sequential') return i;
      // Reservoir sampling: a uniform choice among candidates (or among the rarest ones).
      const avail = randomPhase ? 0 : this.availability.count(i);
      if (avail < bestAvail) {
        best = i;
        bestAvail = avail;
        ties = 1;
      } else if (avail === bestAvail && this.random.int(++ties) === 0) {
        best = i;
      }
    }
    return best;
  }
}
