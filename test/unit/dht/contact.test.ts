/** onContact: a node that contacts us from between us and our successor is probed, then adopted. */
import { describe, expect, it } from 'vitest';
import { ChordCore } from '../../../dht/core/chord.ts';
import type { NodeRef } from '../../../dht/core/node-ref.ts';

// A 4-bit textbook ring scaled into the top bits, as in textbook.test.ts.
const ref = (k: number): NodeRef => ({ id: BigInt(k) << 156n, host: '127.0.0.1', port: 1000 + k });

describe('ChordCore.onContact', () => {
  it('peer 3 with successor 8 hears from 5: it asks 5 for its neighbours and adopts it when 5 answers', () => {
    const c = new ChordCore(ref(3));
    c.onNeighbors(ref(8), { predecessor: ref(3), successors: [ref(10), ref(12)] }, 'join', 0);
    expect(c.successor.id).toBe(ref(8).id);
    expect(c.onContact(ref(5), 1)).toEqual([{ type: 'get_neighbors', to: ref(5), reason: 'adopt' }]);
    c.onNeighbors(ref(5), { predecessor: ref(3), successors: [ref(8), ref(10)] }, 'adopt', 2);
    expect(c.successors.map((s) => s.id)).toEqual([ref(5).id, ref(8).id, ref(10).id]);
  });

  it('contacts from outside (self, successor), from the successor itself, or while alone ask nothing', () => {
    const c = new ChordCore(ref(3));
    expect(c.onContact(ref(5), 0)).toEqual([]); // alone: notify grows the ring instead
    c.onNeighbors(ref(8), { predecessor: null, successors: [ref(10)] }, 'join', 0);
    expect(c.onContact(ref(8), 1)).toEqual([]);
    expect(c.onContact(ref(12), 1)).toEqual([]);
    expect(c.onContact(ref(1), 1)).toEqual([]);
    expect(c.onContact(ref(3), 1)).toEqual([]);
  });

  it('a contact clears suspicion', () => {
    const c = new ChordCore(ref(3), { suspectTtlMs: 10_000 });
    c.onNeighbors(ref(8), { predecessor: null, successors: [ref(10)] }, 'join', 0);
    c.onUnreachable(ref(10), 0);
    expect(c.isSuspect(ref(10).id)).toBe(true);
    c.onContact(ref(10), 1);
    expect(c.isSuspect(ref(10).id)).toBe(false);
  });
});
