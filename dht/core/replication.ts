/**
 * When to re-replicate after the successor list changes, and to whom. Under churn the list
 * changes several times a second; sending every owned record to every replica on each change
 * floods the ring. The planner (pure: time is passed in) coalesces changes into at most one
 * flush per `minIntervalMs`, and a flush names only the replicas that have not been sent the
 * records yet. A replica that drops out of the set and comes back is sent them again (it may
 * have restarted empty).
 */
import type { Id160 } from '../../src/naming/id160.ts';
import type { NodeRef } from './node-ref.ts';

export class ReplicaPlanner {
  private sentTo = new Set<Id160>();
  private pending: readonly NodeRef[] | null = null;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(readonly minIntervalMs: number) {}

  /**
   * The replica set is now `targets`. Returns the delay (ms, 0 = now) after which `flush` should
   * run, or null when no target is new (nothing to send).
   */
  change(targets: readonly NodeRef[], now: number): number | null {
    if (!targets.some((t) => !this.sentTo.has(t.id))) {
      // Nothing new; forget replicas that left so they get a full copy if they return.
      if (this.pending === null) this.sentTo = new Set(targets.map((t) => t.id));
      else this.pending = targets;
      return this.pending === null ? null : this.delay(now);
    }
    this.pending = targets;
    return this.delay(now);
  }

  /** Whether a flush is owed (the shell has a timer running for it). */
  get isPending(): boolean {
    return this.pending !== null;
  }

  /** The targets to send every owned record to now; empty when nothing is owed. */
  flush(now: number): NodeRef[] {
    const targets = this.pending;
    if (targets === null) return [];
    this.pending = null;
    this.lastFlush = now;
    const fresh = targets.filter((t) => !this.sentTo.has(t.id));
    this.sentTo = new Set(targets.map((t) => t.id));
    return fresh;
  }

  private delay(now: number): number {
    return Math.max(0, this.lastFlush + this.minIntervalMs - now);
  }
}
