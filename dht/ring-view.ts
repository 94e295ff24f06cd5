/**
 * The control socket's ring view of a running DHT node (`ringswarm dht start --control`):
 * neighbours, fingers collapsed into runs, records held, lookup rate and mean hops. The rate
 * is measured between two calls, so one source is kept per server.
 */
import { idToHex } from '../src/naming/id160.ts';
import type { RingNodeRef, RingView } from '../src/control/snapshot.ts';
import { compactFingers } from '../src/control/snapshot.ts';
import type { NodeRef } from './core/node-ref.ts';
import type { DhtNode } from './node.ts';

export function ringNodeRef(n: NodeRef): RingNodeRef {
  return { id: idToHex(n.id), endpoint: `${n.host}:${n.port}` };
}

/** A function returning the node's RingView now. */
export function ringViewSource(node: DhtNode): () => RingView {
  let lastCount = node.lookupStats.count;
  let lastAt = node.now;
  let rate = 0;
  return () => {
    const now = node.now;
    if (now - lastAt >= 250) {
      rate = ((node.lookupStats.count - lastCount) * 1000) / (now - lastAt);
      lastCount = node.lookupStats.count;
      lastAt = now;
    }
    const core = node.core;
    const hops = node.lookupStats.recentHops;
    return {
      id: idToHex(core.self.id),
      endpoint: `${core.self.host}:${core.self.port}`,
      predecessor: core.predecessor && ringNodeRef(core.predecessor),
      successors: core.successors.map(ringNodeRef),
      fingers: compactFingers(core.fingers.map((f) => f && ringNodeRef(f))),
      records: node.records.table.size,
      lookupsPerSec: rate,
      meanHops: hops.length === 0 ? null : hops.reduce((a, b) => a + b, 0) / hops.length,
    };
  };
}
