/** testnet(n): n real DHT nodes on 127.0.0.1 (UDP port 0), joined into one ring. */
import { DhtNode, type DhtNodeOptions } from '../../dht/node.ts';

export interface Testnet {
  nodes: DhtNode[];
  /** Live nodes whose successor is not the next live node clockwise. */
  wrongSuccessors(): DhtNode[];
  /** Resolves once every live node has its true successor list and predecessor; rejects after timeoutMs. */
  converged(timeoutMs?: number): Promise<void>;
  add(options?: DhtNodeOptions): Promise<DhtNode>;
  stop(): Promise<void>;
}

/** Fast timers so rings settle in about a second. */
export const FAST: DhtNodeOptions = { stabilizeMs: 100, fixFingersMs: 30, checkPredecessorMs: 200, rpcTimeoutMs: 150, rpcAttempts: 2, suspectTtlMs: 5000 };

export async function testnet(n: number, options: DhtNodeOptions = {}): Promise<Testnet> {
  const nodes: DhtNode[] = [];
  const live = (): DhtNode[] => nodes.filter((x) => x.isRunning);
  const add = async (o: DhtNodeOptions = {}): Promise<DhtNode> => {
    const node = new DhtNode({ ...FAST, ...options, ...o });
    const boot = live()[0];
    await node.start(boot ? { host: boot.self.host, port: boot.self.port } : undefined);
    nodes.push(node);
    return node;
  };
  const wrongSuccessors = (): DhtNode[] => {
    const ring = live().sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
    return ring.filter((x, i) => x.core.successor.id !== ring[(i + 1) % ring.length]!.self.id);
  };
  /** Whole successor lists, which lookups answer from: each must be the next live nodes in order. */
  const wrongLists = (): DhtNode[] => {
    const ring = live().sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
    return ring.filter((x, i) => {
      const list = x.core.successors;
      const want = Math.min(x.core.options.successorListLength, ring.length - 1);
      if (list.length !== want) return true;
      return list.some((s, k) => s.id !== ring[(i + 1 + k) % ring.length]!.self.id);
    });
  };
  const wrongPredecessors = (): DhtNode[] => {
    const ring = live().sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
    if (ring.length === 1) return [];
    return ring.filter((x, i) => x.core.predecessor?.id !== ring[(i - 1 + ring.length) % ring.length]!.self.id);
  };
  for (let i = 0; i < n; i++) await add();
  return {
    nodes,
    wrongSuccessors,
    add,
    async converged(timeoutMs = 10_000) {
      const t0 = Date.now();
      while (wrongSuccessors().length > 0 || wrongPredecessors().length > 0 || wrongLists().length > 0) {
        if (Date.now() - t0 > timeoutMs) {
          throw new Error(`ring not converged after ${timeoutMs} ms: ${wrongSuccessors().length} wrong successors, ${wrongPredecessors().length} wrong predecessors, ${wrongLists().length} wrong lists`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await Promise.all(nodes.map((x) => x.stop()));
    },
  };
}
