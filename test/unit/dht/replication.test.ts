/** ReplicaPlanner: successor-list changes coalesce into rate-limited flushes to new replicas only. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplicaPlanner } from '../../../dht/core/replication.ts';
import type { NodeRef } from '../../../dht/core/node-ref.ts';

const n = (id: number): NodeRef => ({ id: BigInt(id), host: '127.0.0.1', port: 1000 + id });
const ids = (xs: NodeRef[]): number[] => xs.map((x) => Number(x.id));

describe('ReplicaPlanner', () => {
  it('first change flushes at once to every target', () => {
    const p = new ReplicaPlanner(1000);
    expect(p.change([n(1), n(2)], 0)).toBe(0);
    expect(ids(p.flush(0))).toEqual([1, 2]);
  });

  it('a change within the interval waits for its end; later changes join the same flush', () => {
    const p = new ReplicaPlanner(1000);
    p.change([n(1), n(2)], 0);
    p.flush(0);
    expect(p.change([n(1), n(3)], 100)).toBe(900);
    expect(p.change([n(1), n(4)], 300)).toBe(700);
    // Only the final set counts, and only its new members are sent to.
    expect(ids(p.flush(1000))).toEqual([4]);
  });

  it('no new target: nothing to send', () => {
    const p = new ReplicaPlanner(1000);
    p.change([n(1), n(2)], 0);
    p.flush(0);
    expect(p.change([n(2)], 5000)).toBeNull();
    expect(p.change([n(1), n(2)], 5001)).toBe(0); // 1 left the set and came back: send again
    expect(ids(p.flush(5001))).toEqual([1]);
  });

  it('property: flushes are at least minInterval apart and send only members of the latest set', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }), fc.integer({ min: 0, max: 400 })), { maxLength: 60 }), (steps) => {
        const p = new ReplicaPlanner(500);
        let now = 0;
        let due: number | null = null;
        let latest: number[] = [];
        let lastFlush = -Infinity;
        let flushes = 0;
        for (const [set, dt] of steps) {
          now += dt;
          if (due !== null && now >= due) {
            const sent = ids(p.flush(due));
            expect(due - lastFlush).toBeGreaterThanOrEqual(500);
            for (const s of sent) expect(latest).toContain(s);
            expect(new Set(sent).size).toBe(sent.length);
            lastFlush = due;
            due = null;
            flushes++;
          }
          const d = p.change(set.map(n), now);
          latest = set;
          if (d !== null && due === null) due = now + d;
        }
        expect(flushes).toBeLessThanOrEqual(Math.floor(now / 500) + 1);
      }),
    );
  });
});
