/** Ring convergence, lookups, churn and leaves in the deterministic in-memory simulator. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_ID, randomId } from '../../../src/naming/id160.ts';
import type { Random } from '../../../src/random.ts';
import { seededRandom } from '../../../src/random.ts';
import { SimRing } from './sim-ring.ts';

function ids(n: number, random: Random): bigint[] {
  const set = new Set<bigint>();
  while (set.size < n) set.add(randomId(random));
  return [...set];
}

/** A ring built by sequential joins through the first node, then `rounds` of maintenance. */
function ring(n: number, seed: number, rounds = 8, r = 8): SimRing {
  const random = seededRandom(seed);
  const sim = new SimRing(random, { successorListLength: r });
  const all = ids(n, random);
  sim.add(all[0]!).create();
  // Joins spread over time (a stabilize round between them), as in a live ring. A mass join
  // into one gap before anyone stabilizes also converges, but needs O(joiners) rounds.
  for (const id of all.slice(1)) {
    sim.join(id, all[0]!);
    sim.round(0);
  }
  sim.rounds(rounds, 12);
  return sim;
}

function lookupsCorrect(sim: SimRing, count: number, random: Random): { ok: number; hops: number[] } {
  const live = sim.liveIds();
  let ok = 0;
  const hops: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = randomId(random);
    const origin = live[random.int(live.length)]!;
    const r = sim.lookup(origin, key);
    if (r.type === 'done' && r.owner.id === sim.trueSuccessor(key)) ok++;
    if (r.type === 'done') hops.push(r.hops);
  }
  return { ok, hops };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('small rings', () => {
  it('a ring of one is its own successor and owns every key', () => {
    const sim = ring(1, 1);
    const [a] = sim.liveIds();
    const c = sim.core(a!);
    expect(c.successor.id).toBe(a);
    expect(c.owns(0n) && c.owns(MAX_ID)).toBe(true);
    const r = sim.lookup(a!, 12345n);
    expect(r).toMatchObject({ type: 'done', hops: 0 });
  });

  it.each([2, 3])('a ring of %i converges and answers every lookup', (n) => {
    const sim = ring(n, 10 + n, 3);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
    expect(lookupsCorrect(sim, 50, seededRandom(7)).ok).toBe(50);
  });

  it('wraps around: nodes at 0, 1 and MAX_ID', () => {
    const sim = new SimRing(seededRandom(3));
    sim.add(MAX_ID).create();
    sim.join(0n, MAX_ID);
    sim.join(1n, 0n);
    sim.rounds(3);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.core(MAX_ID).successor.id).toBe(0n);
    expect(sim.lookup(1n, MAX_ID)).toMatchObject({ type: 'done', owner: { id: MAX_ID } });
    expect(sim.lookup(MAX_ID, 0n)).toMatchObject({ type: 'done', owner: { id: 0n } });
    expect(sim.lookup(0n, MAX_ID - 5n)).toMatchObject({ type: 'done', owner: { id: MAX_ID } });
  });

  it('two nodes that leave one by one leave a ring of one behind', () => {
    const sim = ring(3, 5, 3);
    const [a, b, c] = sim.liveIds();
    sim.leave(a!);
    sim.leave(b!);
    const last = sim.core(c!);
    expect(last.successor.id).toBe(c);
    expect(last.predecessor).toBeNull();
  });
});

describe('convergence after joins', () => {
  it('50 sequential joins converge', () => {
    const sim = ring(50, 50, 10);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
    expect(lookupsCorrect(sim, 200, seededRandom(1)).ok).toBe(200);
  });

  it('20 concurrent joins into a ring of 3 converge', () => {
    const random = seededRandom(20);
    const sim = new SimRing(random);
    const all = ids(23, random);
    sim.add(all[0]!).create();
    sim.join(all[1]!, all[0]!);
    sim.join(all[2]!, all[0]!);
    sim.rounds(2);
    sim.joinConcurrently(all.slice(3), all[1]!);
    sim.rounds(12);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
  });

  it('10 concurrent joins into a ring of one converge', () => {
    const random = seededRandom(21);
    const sim = new SimRing(random);
    const all = ids(11, random);
    sim.add(all[0]!).create();
    sim.joinConcurrently(all.slice(1), all[0]!);
    sim.rounds(15);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
  });

  it('property: random rings converge and route every lookup to the true successor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer(), fc.boolean(), (n, seed, concurrent) => {
        const random = seededRandom(seed);
        const sim = new SimRing(random, { successorListLength: 4 });
        const all = ids(n, random);
        sim.add(all[0]!).create();
        if (concurrent) sim.joinConcurrently(all.slice(1), all[0]!);
        else for (const id of all.slice(1)) sim.join(id, all[random.int(sim.alive.size)] ?? all[0]!);
        sim.rounds(n + 4, 8);
        expect(sim.wrongSuccessors()).toEqual([]);
        expect(sim.wrongPredecessors()).toEqual([]);
        expect(lookupsCorrect(sim, 20, random).ok).toBe(20);
      }),
      { numRuns: 40 },
    );
  });
});

describe('lookup hops', () => {
  it.each([64, 256])('N=%i: mean hops about ½·log2 N', (n) => {
    const sim = ring(n, n, 14);
    const { ok, hops } = lookupsCorrect(sim, 1000, seededRandom(99));
    expect(ok).toBe(1000);
    const m = mean(hops);
    const sorted = [...hops].sort((a, b) => a - b);
    console.log(`N=${n}: mean hops ${m.toFixed(2)}, p99 ${sorted[Math.floor(0.99 * sorted.length)]}, ½·log2 N = ${(Math.log2(n) / 2).toFixed(2)}`);
    expect(m).toBeLessThan(Math.log2(n));
  });
});

describe('churn', () => {
  it('20% of 100 nodes killed at once: lookups route around them, and the ring heals', () => {
    const random = seededRandom(2024);
    const sim = ring(100, 2024, 12);
    const victims = [...sim.liveIds()].sort(() => 0).filter(() => random.int(5) === 0).slice(0, 20);
    while (victims.length < 20) {
      const id = sim.liveIds()[random.int(100)]!;
      if (!victims.includes(id)) victims.push(id);
    }
    for (const v of victims) sim.kill(v);
    const before = lookupsCorrect(sim, 500, seededRandom(5));
    console.log(`churn: ${before.ok}/500 lookups correct before repair`);
    expect(before.ok).toBeGreaterThanOrEqual(495); // goal ≥ 99% via successor lists
    sim.rounds(3, 12);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
    expect(lookupsCorrect(sim, 500, seededRandom(6)).ok).toBe(500);
  });

  it('graceful leaves keep the ring correct without any stabilization', () => {
    const random = seededRandom(77);
    const sim = ring(40, 77, 10);
    for (let i = 0; i < 10; i++) {
      const live = sim.liveIds();
      sim.leave(live[random.int(live.length)]!);
    }
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
    expect(lookupsCorrect(sim, 200, random).ok).toBe(200);
  });

  it('a node that comes back after being suspected is re-admitted', () => {
    const sim = ring(10, 8, 6);
    const [v] = sim.liveIds();
    sim.kill(v!);
    sim.rounds(2);
    sim.now += 60_000; // suspicion expires
    sim.alive.add(v!);
    sim.join(v!, sim.liveIds().find((x) => x !== v)!);
    sim.rounds(4);
    expect(sim.wrongSuccessors()).toEqual([]);
  });
});
