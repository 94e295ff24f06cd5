/**
 * Keeps each record on its owner and the next replicas − 1 successors as the ring changes: the
 * shell around ReplicaPlanner (coalesced, rate-limited re-replication when the successor list
 * changes) and the key-range handover when the predecessor changes. Sends are fire-and-forget:
 * a replica that misses one is caught up at the next change or by the owner's next put.
 */
import type { Id160 } from '../src/naming/id160.ts';
import { inInterval } from '../src/naming/id160.ts';
import type { ChordCore } from './core/chord.ts';
import type { NodeRef } from './core/node-ref.ts';
import { sameNode } from './core/node-ref.ts';
import { ReplicaPlanner } from './core/replication.ts';
import type { RecordStore } from './record-store.ts';

export interface ReplicatorDeps {
  core: () => ChordCore;
  records: RecordStore;
  now: () => number;
  /** Store a copy on n (replica: it must not replicate further). */
  send: (n: NodeRef, key: Id160, value: Uint8Array, ttlMs: number) => Promise<void>;
}

export interface ReplicatorStats {
  /** Record copies sent (one record to one node counts one). */
  copiesSent: number;
  /** Flushes after successor-list changes (coalesced). */
  flushes: number;
}

interface Entry {
  key: Id160;
  value: Uint8Array;
  expiresAt: number;
}

export class Replicator {
  readonly planner: ReplicaPlanner;
  readonly stats: ReplicatorStats = { copiesSent: 0, flushes: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: ReplicatorDeps,
    private readonly replicas: number,
    minIntervalMs: number,
  ) {
    this.planner = new ReplicaPlanner(minIntervalMs);
  }

  /** The successors that hold our copies now. */
  targets(): NodeRef[] {
    return this.deps.core().neighbors().successors.slice(0, this.replicas - 1);
  }

  /** Copy entries to `to` (default: our replica targets). */
  replicate(entries: readonly Entry[], to: readonly NodeRef[] = this.targets()): void {
    const now = this.deps.now();
    for (const t of to) {
      for (const e of entries) {
        if (e.expiresAt <= now) continue;
        this.stats.copiesSent++;
        this.deps.send(t, e.key, e.value, e.expiresAt - now).catch(() => undefined);
      }
    }
  }

  /** The successor list changed: new replicas get our owned records, at most once per interval. */
  successorsChanged(): void {
    if (this.stopped) return;
    const delay = this.planner.change(this.targets(), this.deps.now());
    if (delay === null || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
    this.timer.unref();
  }

  private flush(): void {
    if (this.stopped) return;
    const now = this.deps.now();
    const fresh = this.planner.flush(now);
    if (fresh.length === 0) return;
    this.stats.flushes++;
    this.replicate(this.owned(), fresh);
  }

  /**
   * Our range (pred, self] changed. A new, closer predecessor takes (previous, current]; when we
   * had no predecessor (alone, or the previous one died) we cannot tell where its range starts,
   * so everything outside our new range goes to it: it is that range's owner or a closer
   * replica than we are. And we may have inherited a dead predecessor's range: our replicas
   * get what we now own.
   */
  predecessorChanged(previous: NodeRef | null, current: NodeRef | null): void {
    if (this.stopped) return;
    const core = this.deps.core();
    if (current === null || sameNode(current, core.self)) return;
    const now = this.deps.now();
    const all = this.deps.records.table.all(now);
    if (previous !== null && inInterval(current.id, previous.id, core.self.id, '()')) {
      this.replicate(all.filter((e) => inInterval(e.key, previous.id, current.id, '(]')), [current]);
      return;
    }
    this.replicate(all.filter((e) => !inInterval(e.key, current.id, core.self.id, '(]')), [current]);
    this.replicate(this.owned());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private owned(): Entry[] {
    const core = this.deps.core();
    return this.deps.records.table.all(this.deps.now()).filter((e) => core.owns(e.key));
  }
}
