/**
 * Chord routing decisions as pure functions of a node's view (successors, fingers, suspects).
 * `route(key)` answers "found: the owner is X" or "forward: ask one of these, best first".
 */
import type { Id160 } from '../../src/naming/id160.ts';
import { clockwiseDistance, inInterval } from '../../src/naming/id160.ts';
import type { NodeRef } from './node-ref.ts';

/**
 * `backups` are the live successors after the owner: if the owner turns out to be dead (the
 * answering node has not noticed yet), the next of them is the key's new owner.
 */
export type RouteResult = { found: NodeRef; backups: NodeRef[] } | { forward: NodeRef[] };

export interface RoutingView {
  readonly self: NodeRef;
  /** Live-believed successors, nearest first; empty means "I am my own successor". */
  readonly successors: readonly NodeRef[];
  readonly fingers: readonly (NodeRef | null)[];
  isSuspect(id: Id160): boolean;
}

/** The first successor not suspected dead, or self when none is left. */
export function firstLiveSuccessor(view: RoutingView): NodeRef {
  for (const s of view.successors) if (!view.isSuspect(s.id)) return s;
  return view.self;
}

/**
 * Known nodes strictly between self and key, closest to the key first, suspects skipped.
 * Several are returned so a lookup can route around a next hop that turns out to be dead.
 */
export function closestPreceding(view: RoutingView, key: Id160, max: number): NodeRef[] {
  const seen = new Set<Id160>();
  const out: NodeRef[] = [];
  const consider = (n: NodeRef | null): void => {
    if (n === null || seen.has(n.id) || view.isSuspect(n.id)) return;
    seen.add(n.id);
    if (inInterval(n.id, view.self.id, key, '()')) out.push(n);
  };
  for (const f of view.fingers) consider(f);
  for (const s of view.successors) consider(s);
  out.sort((a, b) => {
    const da = clockwiseDistance(a.id, key);
    const db = clockwiseDistance(b.id, key);
    return da < db ? -1 : da > db ? 1 : 0;
  });
  return out.slice(0, max);
}

/**
 * Chord's find_successor step at this node. A key in (self, successor] belongs to the
 * successor; a node alone on the ring owns everything; otherwise forward towards the key.
 */
export function route(view: RoutingView, key: Id160, maxForward = 4): RouteResult {
  const succ = firstLiveSuccessor(view);
  if (succ.id === view.self.id || key === view.self.id) return { found: view.self, backups: [] };
  // The successor list is a contiguous run of the ring: a key inside it is answered here,
  // even when an earlier entry is dead and we have not noticed yet. Not for the last entry
  // (past the first): it would come with no backup, so the lookup goes on to a node nearer it.
  const live = view.successors.filter((s) => !view.isSuspect(s.id));
  let prev = view.self.id;
  for (let k = 0; k < live.length && (k === 0 || k < live.length - 1); k++) {
    const s = live[k]!;
    if (inInterval(key, prev, s.id, '(]')) return { found: s, backups: live.slice(k + 1) };
    prev = s.id;
  }
  const forward = closestPreceding(view, key, maxForward);
  // The successor always goes last: it is strictly past self, so it still makes progress when
  // every better hop turns out to be dead (or when the view is too stale to know any).
  if (!forward.some((n) => n.id === succ.id)) forward.push(succ);
  return { forward };
}
