/**
 * The choker: which peers we upload to. Textbook BitTorrent, as a pure function of peer
 * states, `now` and a Random; the shell calls `rechoke` every `rechokeIntervalMs`.
 *
 * - Leeching: the `slots` interested peers that sent us the most in the last period get a
 *   reciprocal slot (tit-for-tat). At equal rates (at the start everyone is at 0) a peer we want
 *   data from goes before one that has nothing for us, one that unchokes us before one that
 *   chokes us, then chance decides: a newcomer with nothing to trade, or a free rider, gets in
 *   through the optimistic slot, not by a lucky tie.
 * - Anti-snubbing (libtorrent's): a peer that has unchoked us, that we want data from, and that
 *   sent nothing for `snubMs` is snubbed and loses its reciprocal slot (it can still win the
 *   optimistic one). A peer that merely chokes us is not snubbing us: tit-for-tat handles it.
 * - Optimistic unchoke: every `optimisticIntervalMs` one more choked, interested peer is
 *   unchoked: the one whose last turn is oldest (never first), ties at random with newly
 *   connected peers weighted ×3, so newcomers get something to trade. The holder
 *   keeps the slot for the whole interval and is not ranked for a regular slot meanwhile, so a
 *   reciprocating holder that would be "promoted" does not free the slot for an early redraw
 *   (which would hand it, most of the time, to whoever is never promoted: a free rider).
 *   Only a holder that leaves or loses interest is replaced early.
 * - Seeding: nobody uploads to us, so rates say nothing about reciprocity. Default is round
 *   robin (each interested peer gets a `seedQuantumMs` turn, longest-waiting first), which
 *   spreads the seed's capacity over the swarm; 'upload-rate' ranks by our rate to them
 *   (libtorrent's fastest-upload) instead. `seedSlots` sets how many at once (a seed with 10×
 *   a peer's upload can serve more than 4; the lab gives its server all N, as the textbook's).
 * - 'unchoke-all' disables choking altogether (the lab's ablation).
 */
import { shuffled, type Random } from '../../src/random.ts';

export interface ChokerPeer {
  readonly id: string;
  /** The peer is interested in our pieces. */
  readonly interested: boolean;
  /** We are interested in theirs (snubbing only means something then). */
  readonly amInterested: boolean;
  /** Bytes/s the peer sent us over the last period. */
  readonly downloadRate: number;
  /** Bytes/s we sent the peer over the last period. */
  readonly uploadRate: number;
  readonly connectedAt: number;
  /** When the peer last sent us a block; undefined if never. */
  readonly lastBlockAt?: number;
  /** The peer chokes us (then it cannot be snubbing us). */
  readonly peerChoking: boolean;
  /** When the peer last unchoked us, if known (the snub clock starts there); else connectedAt. */
  readonly unchokedUsAt?: number;
}

export interface ChokerOptions {
  readonly mode?: 'tit-for-tat' | 'unchoke-all';
  readonly slots?: number;
  readonly rechokeIntervalMs?: number;
  readonly optimisticIntervalMs?: number;
  readonly snubMs?: number;
  /** Peers connected for less than this are "new" and weighted ×`newPeerWeight` for the optimistic slot. */
  readonly newPeerMs?: number;
  readonly newPeerWeight?: number;
  readonly seedMode?: 'round-robin' | 'upload-rate';
  /** Regular slots while seeding (0: the same as `slots`). A seed owes nobody reciprocity. */
  readonly seedSlots?: number;
  readonly seedQuantumMs?: number;
  /**
   * The shell's window for `downloadRate` ("the last period"); 0 = rechokeIntervalMs. Scaled-down
   * tests with a 200 ms period set it longer so a period holds more than one block.
   */
  readonly rateWindowMs?: number;
}

export type ChokeReason =
  | 'reciprocal' // top uploader to us
  | 'seed-slot' // a seeding slot
  | 'optimistic'
  | 'unchoke-all'
  | 'snubbed' // sent us nothing for snubMs: no reciprocal slot
  | 'not-interested'
  | 'outranked';

export interface ChokeDecision {
  /** Every peer to have unchoked after this round (regular slots and the optimistic one). */
  readonly unchoke: ReadonlySet<string>;
  readonly optimistic: string | undefined;
  readonly snubbed: ReadonlySet<string>;
  readonly reasons: ReadonlyMap<string, ChokeReason>;
}

export const CHOKER_DEFAULTS: Required<ChokerOptions> = {
  mode: 'tit-for-tat',
  slots: 4,
  rechokeIntervalMs: 10_000,
  optimisticIntervalMs: 30_000,
  snubMs: 60_000,
  newPeerMs: 60_000,
  newPeerWeight: 3,
  seedMode: 'round-robin',
  seedSlots: 0,
  seedQuantumMs: 30_000,
  rateWindowMs: 0,
};

export class Choker {
  readonly options: Required<ChokerOptions>;
  private lastRun: number | undefined;
  private optimisticPeer: string | undefined;
  private optimisticAt = -Infinity;
  /** Peers holding a regular slot and since when (round robin's quantum). */
  private readonly regularSince = new Map<string, number>();
  /** When each peer last lost a regular slot (round robin: longest waiting first). */
  private readonly lastChokedAt = new Map<string, number>();
  /** When each peer last got the optimistic slot (the rotation's order). */
  private readonly optimisticTurns = new Map<string, number>();

  constructor(options: ChokerOptions = {}) {
    this.options = { ...CHOKER_DEFAULTS, ...options };
  }

  /** Is a regular rechoke due? (The shell may also rechoke early, e.g. when a peer leaves.) */
  due(now: number): boolean {
    return this.lastRun === undefined || now - this.lastRun >= this.options.rechokeIntervalMs;
  }

  isSnubbed(p: ChokerPeer, now: number): boolean {
    if (!p.amInterested || p.peerChoking) return false;
    const since = Math.max(p.lastBlockAt ?? -Infinity, p.unchokedUsAt ?? p.connectedAt);
    return now - since >= this.options.snubMs;
  }

  /** The window over which the shell should measure `downloadRate`. */
  get rateWindowMs(): number {
    return this.options.rateWindowMs > 0 ? this.options.rateWindowMs : this.options.rechokeIntervalMs;
  }

  rechoke(peers: readonly ChokerPeer[], ctx: { now: number; random: Random; seeding: boolean }): ChokeDecision {
    const { now, random, seeding } = ctx;
    const o = this.options;
    this.lastRun = now;
    const reasons = new Map<string, ChokeReason>();
    const snubbed = new Set(peers.filter((p) => !seeding && this.isSnubbed(p, now)).map((p) => p.id));
    const interested = peers.filter((p) => p.interested);
    for (const p of peers) if (!p.interested) reasons.set(p.id, 'not-interested');

    if (o.mode === 'unchoke-all') {
      for (const p of interested) reasons.set(p.id, 'unchoke-all');
      const all = new Set(interested.map((p) => p.id));
      return this.commit(peers, all, all, undefined, snubbed, reasons, now);
    }

    // The optimistic holder keeps its slot for the whole interval and is not ranked meanwhile.
    const held = this.heldOptimistic(interested, now);
    const candidates = interested.filter((p) => p.id !== held);
    const ranked = seeding ? this.rankSeeding(candidates, now, random) : this.rankLeeching(candidates, snubbed, random);
    const slots = seeding && o.seedSlots > 0 ? o.seedSlots : o.slots;
    const regular = new Set(ranked.slice(0, slots).map((p) => p.id));
    for (const p of interested) {
      if (regular.has(p.id)) reasons.set(p.id, seeding ? 'seed-slot' : 'reciprocal');
      else reasons.set(p.id, snubbed.has(p.id) ? 'snubbed' : 'outranked');
    }

    const optimistic = held ?? this.drawOptimistic(interested, regular, now, random);
    const unchoke = new Set(regular);
    if (optimistic !== undefined) {
      unchoke.add(optimistic);
      reasons.set(optimistic, 'optimistic');
    }
    return this.commit(peers, regular, unchoke, optimistic, snubbed, reasons, now);
  }

  /**
   * Tit-for-tat: fastest uploaders to us first; snubbed peers have no claim. At equal rates
   * (typically 0) a peer we want data from goes first, and of those one that unchokes us (a
   * trade under way) before one that chokes us (which a free rider always does).
   */
  private rankLeeching(interested: readonly ChokerPeer[], snubbed: ReadonlySet<string>, random: Random): ChokerPeer[] {
    const promise = (p: ChokerPeer): number => (p.amInterested ? 2 : 0) + (p.peerChoking ? 0 : 1);
    return shuffled(interested.filter((p) => !snubbed.has(p.id)), random).sort(
      (a, b) => b.downloadRate - a.downloadRate || promise(b) - promise(a),
    );
  }

  private rankSeeding(interested: readonly ChokerPeer[], now: number, random: Random): ChokerPeer[] {
    const mixed = shuffled(interested, random);
    if (this.options.seedMode === 'upload-rate') return mixed.sort((a, b) => b.uploadRate - a.uploadRate);
    // Round robin: peers inside their turn keep it; then the longest-waiting (never served first).
    const key = (p: ChokerPeer): number => {
      const since = this.regularSince.get(p.id);
      if (since !== undefined) return now - since < this.options.seedQuantumMs ? -Infinity : now;
      return this.lastChokedAt.get(p.id) ?? -Number.MAX_VALUE;
    };
    return mixed.sort((a, b) => key(a) - key(b));
  }

  /** The current optimistic peer if its interval is not over and it still wants our data. */
  private heldOptimistic(interested: readonly ChokerPeer[], now: number): string | undefined {
    const current = this.optimisticPeer;
    if (current === undefined || now - this.optimisticAt >= this.options.optimisticIntervalMs) return undefined;
    return interested.some((p) => p.id === current) ? current : undefined;
  }

  /**
   * A new optimistic peer, outside the regular slots: among those whose last optimistic turn is
   * oldest (never first), a weighted random one. Turns go round the choked peers like
   * libtorrent's, so a peer that is never promoted (a free rider) gets one turn per round, not
   * whatever a lucky run of draws gives it.
   */
  private drawOptimistic(interested: readonly ChokerPeer[], regular: ReadonlySet<string>, now: number, random: Random): string | undefined {
    const o = this.options;
    const current = this.optimisticPeer;
    let pool = interested.filter((p) => !regular.has(p.id));
    // Rotate: prefer someone other than the outgoing optimistic peer when there is a choice.
    if (pool.length > 1) pool = pool.filter((p) => p.id !== current);
    if (pool.length === 0) {
      this.optimisticPeer = undefined;
      return undefined;
    }
    const turn = (p: ChokerPeer): number => this.optimisticTurns.get(p.id) ?? -Infinity;
    const oldest = Math.min(...pool.map(turn));
    pool = pool.filter((p) => turn(p) === oldest);
    const weight = (p: ChokerPeer) => (now - p.connectedAt < o.newPeerMs ? o.newPeerWeight : 1);
    let r = random.int(pool.reduce((s, p) => s + weight(p), 0));
    let chosen = pool[pool.length - 1] as ChokerPeer;
    for (const p of pool) {
      r -= weight(p);
      if (r < 0) {
        chosen = p;
        break;
      }
    }
    this.optimisticPeer = chosen.id;
    this.optimisticAt = now;
    this.optimisticTurns.set(chosen.id, now);
    return chosen.id;
  }

  private commit(
    peers: readonly ChokerPeer[],
    regular: ReadonlySet<string>,
    unchoke: Set<string>,
    optimistic: string | undefined,
    snubbed: Set<string>,
    reasons: Map<string, ChokeReason>,
    now: number,
  ): ChokeDecision {
    const present = new Set(peers.map((p) => p.id));
    for (const id of [...this.regularSince.keys()]) {
      if (!regular.has(id)) {
        this.regularSince.delete(id);
        if (present.has(id)) this.lastChokedAt.set(id, now);
      }
    }
    for (const id of regular) if (!this.regularSince.has(id)) this.regularSince.set(id, now);
    for (const id of [...this.lastChokedAt.keys()]) if (!present.has(id)) this.lastChokedAt.delete(id);
    for (const id of [...this.optimisticTurns.keys()]) if (!present.has(id)) this.optimisticTurns.delete(id);
    if (optimistic === undefined) this.optimisticPeer = undefined;
    return { unchoke, optimistic, snubbed, reasons };
  }
}
