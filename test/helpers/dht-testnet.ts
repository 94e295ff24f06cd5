/** testnet(n): n real DHT nodes on 127.0.0.1 (UDP port 0), joined into one ring. */
import { DhtNode, type DhtNodeOptions } from '../../dht/node.ts';
import { addPow2 } from '../../src/naming/id160.ts';
import type { Id160 } from '../../src/naming/id160.ts';

export interface Testnet {
  nodes: DhtNode[];
  /** Running nodes. */
  live(): DhtNode[];
  /** Live nodes whose successor is not the next live node clockwise. */
  wrongSuccessors(): DhtNode[];
  /** Resolves once every live node has its true successor list and predecessor; rejects after timeoutMs. */
  converged(timeoutMs?: number): Promise<void>;
  /** Share of distinct finger entries (over all live nodes) that point at the true successor of their start. */
  fingerAccuracy(): number;
  /** successor(key) among the live nodes. */
  trueOwner(key: Id160): Id160;
  add(options?: DhtNodeOptions): Promise<DhtNode>;
  stop(): Promise<void>;
}

export interface TestnetOptions {
  /** Joins in flight at once (default 1: one after another). Chord repairs concurrent joins. */
  concurrency?: number;
}

/** Fast timers so rings settle in about a second. */
export const FAST: DhtNodeOptions = { stabilizeMs: 100, fixFingersMs: 30, checkPredecessorMs: 200, rpcTimeoutMs: 150, rpcAttempts: 2, suspectTtlMs: 5000 };

export async function testnet(n: number, options: DhtNodeOptions = {}, tn: TestnetOptions = {}): Promise<Testnet> {
  const nodes: DhtNode[] = [];
  const live = (): DhtNode[] => nodes.filter((x) => x.isRunning);
  const sortedLive = (): DhtNode[] => live().sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  let joins = 0;
  const add = async (o: DhtNodeOptions = {}): Promise<DhtNode> => {
    const node = new DhtNode({ ...FAST, ...options, ...o });
    // Spread joins over the ring (deterministically) so no single bootstrap node is a hot spot.
    const l = live();
    const boot = l.length === 0 ? undefined : l[(joins++ * 7919) % l.length];
    await node.start(boot ? { host: boot.self.host, port: boot.self.port } : undefined);
    nodes.push(node);
    return node;
  };
  const wrongSuccessors = (): DhtNode[] => {
    const ring = sortedLive();
    return ring.filter((x, i) => x.core.successor.id !== ring[(i + 1) % ring.length]!.self.id);
  };
  /** Whole successor lists, which lookups answer from: each must be the next live nodes in order. */
  const wrongLists = (): DhtNode[] => {
    const ring = sortedLive();
    return ring.filter((x, i) => {
      const list = x.core.successors;
      const want = Math.min(x.core.options.successorListLength, ring.length - 1);
      if (list.length !== want) return true;
      return list.some((s, k) => s.id !== ring[(i + 1 + k) % ring.length]!.self.id);
    });
  };
  const wrongPredecessors = (): DhtNode[] => {
    const ring = sortedLive();
    if (ring.length === 1) return [];
    return ring.filter((x, i) => x.core.predecessor?.id !== ring[(i - 1 + ring.length) % ring.length]!.self.id);
  };
  const trueOwner = (key: Id160): Id160 => {
    const ids = sortedLive().map((x) => x.self.id);
    // Binary search: the first id ≥ key, wrapping to the smallest.
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return ids[lo] ?? ids[0]!;
  };
  const fingerAccuracy = (): number => {
    let good = 0;
    let all = 0;
    for (const x of live()) {
      for (const [i, f] of x.snapshot().fingers) {
        all++;
        if (f.id === trueOwner(addPow2(x.self.id, i))) good++;
      }
    }
    return all === 0 ? 1 : good / all;
  };
  const concurrency = Math.max(1, tn.concurrency ?? 1);
  if (n > 0) await add();
  while (nodes.length < n) {
    const batch = Math.min(concurrency, n - nodes.length, nodes.length);
    await Promise.all(Array.from({ length: batch }, () => add()));
  }
  return {
    nodes,
    live,
    wrongSuccessors,
    fingerAccuracy,
    trueOwner,
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
