/**
 * An iterative lookup as a pure state machine: the origin asks nodes one at a time for their
 * `route(key)` step and follows the answers until one says "found". It keeps every candidate it
 * has heard of, ordered by closeness to the key, so when a next hop does not answer (dead,
 * bogus endpoint) it continues through the next-best finger or successor instead of failing.
 * A candidate is accepted only if it lies strictly between the node that named it and the key,
 * so a bogus answer can never send the lookup backwards or round in circles.
 */
import type { Id160 } from '../../src/naming/id160.ts';
import { clockwiseDistance, inInterval } from '../../src/naming/id160.ts';
import type { NodeRef } from './node-ref.ts';
import type { RouteResult } from './routing.ts';

export type LookupStep =
  | { type: 'query'; to: NodeRef }
  | { type: 'done'; owner: NodeRef; backups: NodeRef[]; hops: number; path: NodeRef[] }
  | { type: 'failed'; reason: 'no_candidates' | 'too_many_queries'; hops: number };

export class IterativeLookup {
  readonly key: Id160;
  private readonly candidates: NodeRef[] = [];
  private readonly tried = new Set<Id160>();
  private inFlight: NodeRef | null = null;
  private result: LookupStep | null = null;
  private readonly path: NodeRef[] = [];
  private queries = 0;

  /**
   * `first` is the origin's own routing step, or `{ forward: [bootstrap] }` for a node that is
   * not on the ring yet.
   */
  constructor(key: Id160, first: RouteResult, private readonly maxQueries = 64) {
    this.key = key;
    if ('found' in first) this.result = { type: 'done', owner: first.found, backups: first.backups, hops: 0, path: [] };
    else for (const c of first.forward) this.add(c);
  }

  get hops(): number {
    return this.path.length;
  }

  /** What to do now: query a node (then call onAnswer / onUnreachable), or the outcome. */
  next(): LookupStep {
    if (this.result) return this.result;
    if (this.inFlight) return { type: 'query', to: this.inFlight };
    if (this.queries >= this.maxQueries) return (this.result = { type: 'failed', reason: 'too_many_queries', hops: this.hops });
    const c = this.candidates.shift();
    if (!c) return (this.result = { type: 'failed', reason: 'no_candidates', hops: this.hops });
    this.tried.add(c.id);
    this.inFlight = c;
    this.queries++;
    return { type: 'query', to: c };
  }

  onAnswer(from: NodeRef, answer: RouteResult): void {
    if (!this.inFlight || this.inFlight.id !== from.id || this.result) return;
    this.inFlight = null;
    this.path.push(from);
    if ('found' in answer) {
      this.result = { type: 'done', owner: answer.found, backups: answer.backups, hops: this.hops, path: [...this.path] };
      return;
    }
    for (const c of answer.forward) if (inInterval(c.id, from.id, this.key, '()')) this.add(c);
  }

  onUnreachable(from: NodeRef): void {
    if (!this.inFlight || this.inFlight.id !== from.id) return;
    this.inFlight = null;
  }

  private add(c: NodeRef): void {
    if (this.tried.has(c.id) || this.candidates.some((x) => x.id === c.id)) return;
    const d = clockwiseDistance(c.id, this.key);
    let i = 0;
    while (i < this.candidates.length && clockwiseDistance(this.candidates[i]!.id, this.key) <= d) i++;
    this.candidates.splice(i, 0, c);
  }
}
