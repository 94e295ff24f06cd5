/**
 * A small Chord ring for lab runs whose discovery uses the DHT: `n` nodes on 127.0.0.1 with
 * fast maintenance timers (a lab run lasts seconds, not days), joined one after another
 * through the first. Peers announce and look up through these nodes.
 */
import { DhtNode, type DhtNodeOptions } from '../../dht/node.ts';
import { throwIfAborted } from '../errors.ts';

export const LAB_DHT_TIMERS: DhtNodeOptions = { stabilizeMs: 100, fixFingersMs: 50, checkPredecessorMs: 300, rpcTimeoutMs: 200, rpcAttempts: 2, suspectTtlMs: 5000 };

export async function startLabRing(n: number, signal?: AbortSignal): Promise<DhtNode[]> {
  const nodes: DhtNode[] = [];
  try {
    for (let i = 0; i < n; i++) {
      throwIfAborted(signal);
      const node = new DhtNode({ ...LAB_DHT_TIMERS, host: '127.0.0.1', port: 0 });
      const boot = nodes[0];
      await node.start(boot ? { host: boot.self.host, port: boot.self.port } : undefined, signal);
      nodes.push(node);
    }
    // Give stabilize a few rounds so successors point the right way before peers announce.
    if (n > 1) await new Promise((r) => setTimeout(r, 4 * (LAB_DHT_TIMERS.stabilizeMs ?? 100)));
    return nodes;
  } catch (e) {
    await Promise.allSettled(nodes.map((x) => x.stop()));
    throw e;
  }
}
