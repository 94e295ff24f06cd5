/**
 * The Chord ring core: one node's view of the ring and the state transitions that maintain it.
 * Pure: no sockets, no timers, no `node:*`. Every maintenance step returns actions
 * ("ask your successor for its neighbours", "notify X", "find the successor of key K") that the
 * shell (dht/node.ts, or the in-memory simulator in tests) carries out, feeding the answers back
 * through the `on…` methods.
 *
 * Correctness decisions (Zave, "Reasoning about identifier spaces: how to make Chord correct",
 * and "How to make Chord correct"): the original SIGCOMM'01 stabilization can lose ring members
 * or split into loops. We take these of her corrections:
 *  - Successor lists of r entries, rebuilt at every stabilize as [succ, ...succ's list] and
 *    cleaned (self, duplicates, suspects and out-of-order entries dropped). A dead successor is
 *    replaced by the next live entry (the textbook's "first and second successor", generalised).
 *  - A successor's predecessor p in (self, succ) is NOT adopted blindly: we first ask p for its
 *    own neighbours and only adopt it when it answers (reason 'adopt'), so a dead or bogus
 *    node can never become our successor.
 *  - `notify` is Zave's `rectify`: the notifier becomes our predecessor when we have none, when
 *    the current one is suspected dead (check_predecessor failed), or when it lies in
 *    (pred, self).
 *  - Joining takes the successor's whole list at once (reason 'join') instead of a bare
 *    successor pointer, so a new node is never a single point of failure for its predecessor.
 * Not adopted: her "stable base" of r+1 permanent members. Provable correctness needs a ring
 * of at least r+1 nodes that never all fail; we accept the theoretical gap for tiny rings and
 * instead handle 1-, 2- and 3-node rings explicitly (tests cover them). A node alone adopts
 * whoever notifies it as successor, which is how a ring of one grows.
 *
 * Ids are always 160-bit (so an infohash is a key as it stands). Textbook examples on small
 * rings are tested with ids scaled into the top bits (k << 156 for a 4-bit ring); the finger
 * table skips equal entries so that costs nothing.
 */
import type { Id160 } from '../../src/naming/id160.ts';
import { ID_BITS, addPow2, clockwiseDistance, inInterval } from '../../src/naming/id160.ts';
import type { NodeRef } from './node-ref.ts';
import { sameNode } from './node-ref.ts';
import type { RouteResult, RoutingView } from './routing.ts';
import { firstLiveSuccessor, route } from './routing.ts';

export interface ChordOptions {
  /** r: successors remembered; about 2·log2 of the expected ring size. */
  successorListLength: number;
  /** How long a node that failed to answer is skipped by routing and stabilization. */
  suspectTtlMs: number;
}

export const DEFAULT_CHORD_OPTIONS: ChordOptions = { successorListLength: 8, suspectTtlMs: 30_000 };

export interface Neighbors {
  predecessor: NodeRef | null;
  successors: NodeRef[];
}

export type NeighborsReason = 'stabilize' | 'adopt' | 'join';

export type ChordAction =
  /** Ask `to` for its predecessor and successor list; answer via onNeighbors / onUnreachable. */
  | { type: 'get_neighbors'; to: NodeRef; reason: NeighborsReason }
  /** Tell `to` "I think I am your predecessor". */
  | { type: 'notify'; to: NodeRef }
  /** Check that `to` (our predecessor) is alive; failure → onUnreachable. */
  | { type: 'ping'; to: NodeRef }
  /** Look up successor(key), through `via` (join) or our own routing (fingers). */
  | { type: 'find_successor'; key: Id160; via: NodeRef | null; reason: 'join' | 'finger'; finger: number }
  /** Graceful departure: tell a neighbour who replaces us. */
  | { type: 'leave'; to: NodeRef; predecessor: NodeRef | null; successors: NodeRef[] }
  /** Our key range (pred, self] changed: the shell hands records over or takes them in. */
  | { type: 'predecessor_changed'; previous: NodeRef | null; current: NodeRef | null }
  /** The successor list changed: the shell re-replicates records. */
  | { type: 'successors_changed'; successors: NodeRef[] };

export interface ChordSnapshot {
  self: NodeRef;
  predecessor: NodeRef | null;
  successors: NodeRef[];
  /** Distinct fingers as [first index, node]. */
  fingers: [number, NodeRef][];
}

export class ChordCore implements RoutingView {
  readonly self: NodeRef;
  readonly options: ChordOptions;
  predecessor: NodeRef | null = null;
  successors: NodeRef[] = [];
  readonly fingers: (NodeRef | null)[] = new Array<NodeRef | null>(ID_BITS).fill(null);
  private nextFinger = 0;
  private readonly suspects = new Map<Id160, number>();
  private now = 0;

  constructor(self: NodeRef, options: Partial<ChordOptions> = {}) {
    this.self = self;
    this.options = { ...DEFAULT_CHORD_OPTIONS, ...options };
    if (!Number.isInteger(this.options.successorListLength) || this.options.successorListLength < 1) {
      throw new RangeError('successorListLength must be a positive integer');
    }
  }

  /** The first live successor; self when alone. */
  get successor(): NodeRef {
    return firstLiveSuccessor(this);
  }

  isSuspect(id: Id160): boolean {
    const until = this.suspects.get(id);
    if (until === undefined) return false;
    if (until <= this.now) {
      this.suspects.delete(id);
      return false;
    }
    return true;
  }

  /** find_successor at this node: found, or the next hops to try (best first). */
  route(key: Id160, now: number, maxForward = 4): RouteResult {
    this.now = now;
    return route(this, key, maxForward);
  }

  /** Whether this node is responsible for key, i.e. key ∈ (predecessor, self]. */
  owns(key: Id160): boolean {
    if (this.predecessor === null) return this.successor.id === this.self.id;
    return inInterval(key, this.predecessor.id, this.self.id, '(]');
  }

  /** The answer to a get_neighbors request. */
  neighbors(): Neighbors {
    return { predecessor: this.predecessor, successors: this.successors.filter((s) => !this.isSuspect(s.id)) };
  }

  snapshot(): ChordSnapshot {
    const fingers: [number, NodeRef][] = [];
    this.fingers.forEach((f, i) => {
      if (f !== null && !sameNode(f, fingers.at(-1)?.[1])) fingers.push([i, f]);
    });
    return { self: this.self, predecessor: this.predecessor, successors: [...this.successors], fingers };
  }

  /** The finger table as runs of equal entries (index ranges, inclusive), in index order. */
  fingerRuns(): { from: number; to: number; node: NodeRef }[] {
    const out: { from: number; to: number; node: NodeRef }[] = [];
    this.fingers.forEach((f, i) => {
      const last = out.at(-1);
      if (f === null) return;
      if (last && last.to === i - 1 && last.node.id === f.id) last.to = i;
      else out.push({ from: i, to: i, node: f });
    });
    return out;
  }

  /** Any message from a node proves it alive. */
  heardFrom(n: NodeRef, now: number): void {
    this.now = now;
    this.suspects.delete(n.id);
  }

  /**
   * A ring member contacted us. If it lies between us and our successor it is a closer
   * successor we missed (concurrent joins leave such gaps, and plain stabilize only closes them
   * one neighbour at a time): ask it for its neighbours and adopt it once it answers.
   */
  onContact(n: NodeRef, now: number): ChordAction[] {
    this.heardFrom(n, now);
    const succ = this.successor;
    if (n.id === this.self.id || succ.id === this.self.id) return [];
    return inInterval(n.id, this.self.id, succ.id, '()') ? [{ type: 'get_neighbors', to: n, reason: 'adopt' }] : [];
  }

  // ── join / leave ────────────────────────────────────────────────────────────────────────

  /** Start a fresh ring of one (successor = self). */
  create(): void {
    this.predecessor = null;
    this.successors = [];
    this.fingers.fill(null);
  }

  /** Join through any known node: first find successor(self.id) through it. */
  join(bootstrap: NodeRef, now: number): ChordAction[] {
    this.now = now;
    this.create();
    return [{ type: 'find_successor', key: this.self.id, via: bootstrap, reason: 'join', finger: -1 }];
  }

  /** The join lookup answered: fetch the successor's list before trusting it. */
  onJoinFound(succ: NodeRef, now: number): ChordAction[] {
    this.now = now;
    if (succ.id === this.self.id) return []; // an id collision or a bogus answer: stay alone
    return [{ type: 'get_neighbors', to: succ, reason: 'join' }];
  }

  /** Graceful leave: the successor inherits our range, the predecessor our successor list. */
  leave(): ChordAction[] {
    const succ = this.successor;
    const out: ChordAction[] = [];
    if (succ.id !== this.self.id) {
      out.push({ type: 'leave', to: succ, predecessor: this.predecessor, successors: [] });
      if (this.predecessor !== null && this.predecessor.id !== succ.id) {
        out.push({ type: 'leave', to: this.predecessor, predecessor: null, successors: this.neighbors().successors });
      }
    }
    this.create();
    return out;
  }

  /** A neighbour says it is leaving. */
  onLeave(from: NodeRef, info: Neighbors, now: number): ChordAction[] {
    this.now = now;
    // It is gone: keep it out of our lists until stale copies of it have aged out elsewhere.
    this.suspects.set(from.id, now + this.options.suspectTtlMs);
    const out: ChordAction[] = [];
    if (sameNode(from, this.predecessor)) {
      const p = info.predecessor !== null && info.predecessor.id !== this.self.id ? info.predecessor : null;
      out.push(...this.setPredecessor(p));
    }
    const wasSucc = sameNode(from, this.successors[0]);
    this.forget(from.id);
    if (wasSucc) this.successors = this.cleanList(info.successors);
    if (wasSucc) out.push({ type: 'successors_changed', successors: [...this.successors] });
    return out;
  }

  // ── stabilize / notify (rectify) ────────────────────────────────────────────────────────

  stabilize(now: number): ChordAction[] {
    this.now = now;
    const succ = this.successor;
    if (succ.id !== this.self.id) return [{ type: 'get_neighbors', to: succ, reason: 'stabilize' }];
    // Alone: our own predecessor (someone who notified us) is the natural successor.
    const p = this.predecessor;
    if (p !== null && p.id !== this.self.id && !this.isSuspect(p.id)) return [{ type: 'get_neighbors', to: p, reason: 'adopt' }];
    return [];
  }

  /** A get_neighbors answer from `from`. */
  onNeighbors(from: NodeRef, reply: Neighbors, reason: NeighborsReason, now: number): ChordAction[] {
    this.heardFrom(from, now);
    if (from.id === this.self.id) return [];
    const current = this.successor;
    const alone = current.id === this.self.id;
    if (reason === 'stabilize' && from.id !== current.id) return []; // stale answer
    // A candidate closer than the current successor (or any when alone) is adopted now: it has
    // just proven itself alive by answering.
    if (reason !== 'stabilize' && !alone && !inInterval(from.id, this.self.id, current.id, '()')) {
      if (from.id !== current.id) return [];
    }
    const before = this.successors.map((s) => s.id).join();
    this.successors = this.cleanList([from, ...reply.successors]);
    const out: ChordAction[] = [];
    if (this.successors.map((s) => s.id).join() !== before) {
      out.push({ type: 'successors_changed', successors: [...this.successors] });
    }
    const p = reply.predecessor;
    if (p !== null && p.id !== this.self.id && !this.isSuspect(p.id) && inInterval(p.id, this.self.id, from.id, '()')) {
      out.push({ type: 'get_neighbors', to: p, reason: 'adopt' });
    } else {
      out.push({ type: 'notify', to: this.successor });
    }
    return out;
  }

  /** `from` believes it is our predecessor (Zave's rectify). */
  onNotify(from: NodeRef, now: number): ChordAction[] {
    this.heardFrom(from, now);
    if (from.id === this.self.id) return [];
    const out: ChordAction[] = [];
    const p = this.predecessor;
    if (p === null || this.isSuspect(p.id) || inInterval(from.id, p.id, this.self.id, '()')) {
      out.push(...this.setPredecessor(from));
    }
    if (this.successor.id === this.self.id) {
      // A ring of one meets its second member.
      this.successors = this.cleanList([from]);
      out.push({ type: 'successors_changed', successors: [...this.successors] });
    }
    return out;
  }

  checkPredecessor(now: number): ChordAction[] {
    this.now = now;
    return this.predecessor === null ? [] : [{ type: 'ping', to: this.predecessor }];
  }

  /** `n` did not answer (timeout, refused): route around it and repair. */
  onUnreachable(n: NodeRef, now: number): ChordAction[] {
    this.now = now;
    if (n.id === this.self.id) return [];
    this.suspects.set(n.id, now + this.options.suspectTtlMs);
    const out: ChordAction[] = [];
    if (sameNode(n, this.predecessor)) out.push(...this.setPredecessor(null));
    const wasFirst = sameNode(n, this.successors[0]);
    const wasListed = this.successors.some((s) => s.id === n.id);
    this.forget(n.id);
    if (wasListed) out.push({ type: 'successors_changed', successors: [...this.successors] });
    // Textbook repair: the next successor takes over, and we at once ask it for its list to
    // refill ours (the second successor).
    if (wasFirst && this.successor.id !== this.self.id) {
      out.push({ type: 'get_neighbors', to: this.successor, reason: 'stabilize' });
    }
    return out;
  }

  // ── fingers ─────────────────────────────────────────────────────────────────────────────

  fixFingers(now: number): ChordAction[] {
    this.now = now;
    if (this.successor.id === this.self.id) {
      this.fingers.fill(null);
      this.nextFinger = 0;
      return [];
    }
    const i = this.nextFinger;
    return [{ type: 'find_successor', key: addPow2(this.self.id, i), via: null, reason: 'finger', finger: i }];
  }

  /**
   * successor(self + 2^i) is `n`. Every later finger whose start also falls in (self, n] has
   * the same successor, so one lookup fills a run of entries and a full pass costs about
   * log2 N lookups instead of 160.
   */
  onFingerFound(i: number, n: NodeRef, now: number): void {
    this.now = now;
    if (!Number.isInteger(i) || i < 0 || i >= ID_BITS) return;
    if (n.id === this.self.id) {
      // start(i) ∈ (pred, self]: so are all larger starts; those fingers would point at us.
      for (let j = i; j < ID_BITS; j++) this.fingers[j] = null;
      this.nextFinger = 0;
      return;
    }
    const reach = clockwiseDistance(this.self.id, n.id);
    let j = i;
    while (j < ID_BITS && 1n << BigInt(j) <= reach) this.fingers[j++] = n;
    if (j === i) this.fingers[j++] = n; // n precedes start(i): a stale answer, keep it anyway
    this.nextFinger = j >= ID_BITS ? 0 : j;
  }

  /** Install a finger directly (tests replaying the textbook's shortcuts). */
  setFinger(i: number, n: NodeRef | null): void {
    this.fingers[i] = n;
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────

  private setPredecessor(p: NodeRef | null): ChordAction[] {
    const previous = this.predecessor;
    if (sameNode(previous, p) || (previous === null && p === null)) return [];
    this.predecessor = p;
    return [{ type: 'predecessor_changed', previous, current: p }];
  }

  private forget(id: Id160): void {
    this.successors = this.successors.filter((s) => s.id !== id);
    for (let i = 0; i < ID_BITS; i++) if (this.fingers[i]?.id === id) this.fingers[i] = null;
  }

  /**
   * A successor list as received from the network, made safe: clockwise order from self
   * strictly increasing (which also stops at self and drops duplicates), suspects skipped,
   * at most r entries.
   */
  private cleanList(list: readonly NodeRef[]): NodeRef[] {
    const out: NodeRef[] = [];
    let last = 0n;
    for (const n of list) {
      if (out.length >= this.options.successorListLength) break;
      const d = clockwiseDistance(this.self.id, n.id);
      if (d === 0n) break; // wrapped back to us
      if (d <= last || this.isSuspect(n.id)) continue;
      out.push(n);
      last = d;
    }
    return out;
  }
}
