/**
 * Record operations on the ring — put/get and announce/getPeers: look the key's owner up, ask
 * it, and fall back to its backups when it does not answer. Apart from node.ts, which owns the
 * node's lifecycle, routing and local storage; these only use its public surface.
 */
import type { NodeRef } from './core/node-ref.ts';
import type { DhtNode } from './node.ts';
import type { Id160 } from '../src/naming/id160.ts';
import type { Endpoint } from '../src/naming/endpoint.ts';
import { ProtocolError, TimeoutError } from '../src/errors.ts';

/** Store value under key on its owner, which replicates it on its successors. */
export async function putOnRing(node: DhtNode, key: Id160, value: Uint8Array, ttlMs: number, signal?: AbortSignal): Promise<NodeRef> {
  return onOwner(node, key, signal, (n) => node.putTo(n, key, value, ttlMs, false, signal));
}

/**
 * Values under key from its owner; when the owner has none (it took the range over moments
 * ago and anti-entropy has not reached it yet), from the replicas in turn.
 */
export async function getFromRing(node: DhtNode, key: Id160, signal?: AbortSignal): Promise<Uint8Array[]> {
  const r = await node.lookup(key, signal);
  let answered = false;
  let lastError: unknown;
  for (const n of [r.owner, ...r.backups].slice(0, node.options.replicas + 1)) {
    try {
      let values: Uint8Array[];
      if (n.id === node.self.id) values = node.records.get(key, node.now);
      else {
        const res = await node.request(n, { t: 'get', from: node.fromId(), key }, signal);
        if (res.t !== 'values') throw new ProtocolError('expected values');
        values = res.values;
      }
      answered = true;
      if (values.length > 0) return values;
    } catch (e) {
      if (signal?.aborted) throw e;
      lastError = e;
      void node.run(node.core.onUnreachable(n, node.now));
    }
  }
  if (!answered) throw lastError ?? new TimeoutError('no owner answered');
  return [];
}

/** Announce that a peer for infohash listens on `port` at our address (as seen by the owner). */
export async function announceOnRing(node: DhtNode, infohash: Id160, port: number, ttlMs: number, signal?: AbortSignal): Promise<void> {
  await onOwner(node, infohash, signal, async (n) => {
    const res = await node.request(n, { t: 'announce', from: node.fromId(), infohash, port, ttlMs }, signal);
    if (res.t !== 'ok') throw new ProtocolError('announce refused');
  });
}

export async function peersFromRing(node: DhtNode, infohash: Id160, signal?: AbortSignal): Promise<Endpoint[]> {
  let out: Endpoint[] = [];
  await onOwner(node, infohash, signal, async (n) => {
    const res = await node.request(n, { t: 'get_peers', from: node.fromId(), infohash }, signal);
    if (res.t !== 'peers') throw new ProtocolError('expected peers');
    out = res.peers;
  });
  return out;
}

/** Find key's owner and run f on it; if it does not answer, on the next backups in turn. */
async function onOwner(node: DhtNode, key: Id160, signal: AbortSignal | undefined, f: (n: NodeRef) => Promise<unknown>): Promise<NodeRef> {
  const r = await node.lookup(key, signal);
  let lastError: unknown;
  for (const n of [r.owner, ...r.backups]) {
    try {
      await f(n);
      return n;
    } catch (e) {
      if (signal?.aborted) throw e;
      lastError = e;
      void node.run(node.core.onUnreachable(n, node.now));
    }
  }
  throw lastError ?? new TimeoutError('no owner answered');
}
