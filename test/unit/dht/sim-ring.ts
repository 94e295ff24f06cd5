/**
 * Deterministic in-memory Chord network for unit tests: carries out a ChordCore's actions by
 * calling the target core directly (a dead target answers nothing), with a manual clock and a
 * seeded Random for the order in which nodes act.
 */
import type { Id160 } from '../../../src/naming/id160.ts';
import type { Random } from '../../../src/random.ts';
import { shuffled } from '../../../src/random.ts';
import type { ChordAction, ChordOptions } from '../../../dht/core/chord.ts';
import { ChordCore } from '../../../dht/core/chord.ts';
import type { NodeRef } from '../../../dht/core/node-ref.ts';
import type { LookupStep } from '../../../dht/core/lookup.ts';
import { IterativeLookup } from '../../../dht/core/lookup.ts';

export class SimRing {
  readonly cores = new Map<Id160, ChordCore>();
  readonly alive = new Set<Id160>();
  now = 0;
  messages = 0;

  constructor(
    readonly random: Random,
    readonly options: Partial<ChordOptions> = {},
  ) {}

  ref(id: Id160): NodeRef {
    return { id, host: '127.0.0.1', port: Number(id % 60000n) + 1 };
  }

  add(id: Id160): ChordCore {
    const core = new ChordCore(this.ref(id), this.options);
    this.cores.set(id, core);
    this.alive.add(id);
    return core;
  }

  core(id: Id160): ChordCore {
    const c = this.cores.get(id);
    if (!c) throw new Error(`no node ${id}`);
    return c;
  }

  liveIds(): Id160[] {
    return [...this.alive].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The true owner of key among live nodes. */
  trueSuccessor(key: Id160): Id160 {
    const ids = this.liveIds();
    return ids.find((id) => id >= key) ?? ids[0]!;
  }

  truePredecessor(id: Id160): Id160 {
    const ids = this.liveIds();
    const i = ids.indexOf(id);
    return ids[(i - 1 + ids.length) % ids.length]!;
  }

  /** Nodes whose successor is not the next live node clockwise. */
  wrongSuccessors(): Id160[] {
    return this.liveIds().filter((id) => {
      const want = this.trueSuccessor(id + 1n >= 2n ** 160n ? 0n : id + 1n);
      return this.core(id).successor.id !== want;
    });
  }

  wrongPredecessors(): Id160[] {
    return this.liveIds().filter((id) => {
      if (this.alive.size === 1) return this.core(id).predecessor !== null && this.core(id).predecessor!.id !== id;
      return this.core(id).predecessor?.id !== this.truePredecessor(id);
    });
  }

  kill(id: Id160): void {
    this.alive.delete(id);
  }

  /** Start a join; returns once the join lookup and first exchange are done. */
  join(id: Id160, bootstrap: Id160): void {
    const c = this.add(id);
    this.run(c, c.join(this.ref(bootstrap), this.now));
  }

  /** Concurrent joins: every newcomer finds its successor on the old ring before any acts. */
  joinConcurrently(ids: Id160[], bootstrap: Id160): void {
    const pending: [ChordCore, ChordAction[]][] = [];
    for (const id of ids) {
      const c = this.add(id);
      const lookup = this.lookupVia(id, this.ref(bootstrap));
      pending.push([c, lookup.type === 'done' ? c.onJoinFound(lookup.owner, this.now) : []]);
    }
    for (const [c, actions] of pending) this.run(c, actions);
  }

  leave(id: Id160): void {
    const c = this.core(id);
    const actions = c.leave();
    this.alive.delete(id);
    this.run(c, actions);
  }

  /** One maintenance round: every live node, in random order, stabilizes, checks its predecessor and fixes `fingerSteps` fingers. */
  round(fingerSteps = 4): void {
    this.now += 1000;
    for (const id of shuffled(this.liveIds(), this.random)) {
      const c = this.core(id);
      this.run(c, c.stabilize(this.now));
      this.run(c, c.checkPredecessor(this.now));
      for (let k = 0; k < fingerSteps; k++) this.run(c, c.fixFingers(this.now));
    }
  }

  rounds(n: number, fingerSteps = 4): void {
    for (let i = 0; i < n; i++) this.round(fingerSteps);
  }

  /** Iterative lookup from a live node, routing around dead ones. */
  lookup(origin: Id160, key: Id160): LookupStep {
    const o = this.core(origin);
    return this.drive(o, new IterativeLookup(key, o.route(key, this.now)));
  }

  private lookupVia(origin: Id160, via: NodeRef): LookupStep {
    return this.drive(this.core(origin), new IterativeLookup(origin, { forward: [via] }));
  }

  /**
   * Like the network shell: the lookup's owner is used if it answers, else the first live
   * backup (the answering node had not noticed the owner's death yet).
   */
  private drive(o: ChordCore, l: IterativeLookup): LookupStep {
    for (;;) {
      const step = l.next();
      if (step.type === 'done') {
        const owners = [step.owner, ...step.backups];
        for (const c of owners) {
          if (this.alive.has(c.id)) return { ...step, owner: c };
          o.onUnreachable(c, this.now);
        }
        return { type: 'failed', reason: 'no_candidates', hops: step.hops };
      }
      if (step.type !== 'query') return step;
      this.messages++;
      if (this.alive.has(step.to.id)) l.onAnswer(step.to, this.core(step.to.id).route(l.key, this.now));
      else {
        l.onUnreachable(step.to);
        o.onUnreachable(step.to, this.now);
      }
    }
  }

  run(c: ChordCore, actions: ChordAction[]): void {
    const queue = [...actions];
    let guard = 0;
    while (queue.length > 0) {
      if (++guard > 10_000) throw new Error('action storm');
      const a = queue.shift()!;
      if (!this.alive.has(c.self.id) && a.type !== 'leave') continue;
      switch (a.type) {
        case 'get_neighbors':
          this.messages++;
          if (this.alive.has(a.to.id)) {
            const t = this.core(a.to.id);
            t.heardFrom(c.self, this.now);
            queue.push(...c.onNeighbors(a.to, t.neighbors(), a.reason, this.now));
          } else queue.push(...c.onUnreachable(a.to, this.now));
          break;
        case 'notify':
          this.messages++;
          if (this.alive.has(a.to.id)) this.core(a.to.id).onNotify(c.self, this.now);
          else queue.push(...c.onUnreachable(a.to, this.now));
          break;
        case 'ping':
          this.messages++;
          if (this.alive.has(a.to.id)) c.heardFrom(a.to, this.now);
          else queue.push(...c.onUnreachable(a.to, this.now));
          break;
        case 'find_successor': {
          const step = a.via ? this.lookupVia(c.self.id, a.via) : this.lookup(c.self.id, a.key);
          if (step.type !== 'done') break;
          if (a.reason === 'join') queue.push(...c.onJoinFound(step.owner, this.now));
          else c.onFingerFound(a.finger, step.owner, this.now);
          break;
        }
        case 'leave':
          this.messages++;
          if (this.alive.has(a.to.id)) {
            const t = this.core(a.to.id);
            this.run(t, t.onLeave(c.self, { predecessor: a.predecessor, successors: a.successors }, this.now));
          }
          break;
        case 'predecessor_changed':
        case 'successors_changed':
          break;
      }
    }
  }
}
