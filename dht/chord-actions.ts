/**
 * Carries out one ChordCore action over RPC and feeds the answer back into the core. Apart from
 * node.ts because it is the one place the pure core's intents become requests; the node only
 * sequences actions (DhtNode.run) and owns their lifetime.
 */
import type { ChordAction } from './core/chord.ts';
import type { NodeRef } from './core/node-ref.ts';
import type { DhtResponse } from './rpc/messages.ts';
import type { DhtNode } from './node.ts';

export async function carryOut(node: DhtNode, a: ChordAction, signal?: AbortSignal): Promise<void> {
  const core = node.core;
  const fail = (to: NodeRef): Promise<void> => node.run(core.onUnreachable(to, node.now), signal);
  switch (a.type) {
    case 'get_neighbors': {
      let res: DhtResponse;
      try {
        res = await node.request(a.to, { t: 'neighbors', from: node.fromId() }, signal);
      } catch {
        return fail(a.to);
      }
      if (res.t !== 'neighbors') return fail(a.to);
      return node.run(core.onNeighbors(a.to, { predecessor: res.predecessor, successors: res.successors }, a.reason, node.now), signal);
    }
    case 'notify':
    case 'ping':
      try {
        await node.request(a.to, a.type === 'notify' ? { t: 'notify', from: node.self.id } : { t: 'ping', from: node.fromId() }, signal);
        core.heardFrom(a.to, node.now);
      } catch {
        return fail(a.to);
      }
      return;
    case 'find_successor': {
      const r = await node.lookup(a.key, signal, a.via ?? undefined).catch(() => null);
      if (!r) return;
      if (a.reason === 'join') return node.run(core.onJoinFound(r.owner, node.now), signal);
      core.onFingerFound(a.finger, r.owner, node.now);
      return;
    }
    case 'leave':
      await node.request(a.to, { t: 'leave', from: node.self.id, predecessor: a.predecessor, successors: a.successors }, signal).catch(() => undefined);
      return;
    case 'predecessor_changed':
      return node.replicator.predecessorChanged(a.previous, a.current);
    case 'successors_changed':
      return node.replicator.successorsChanged();
  }
}
