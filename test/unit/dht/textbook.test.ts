/**
 * The textbook's circular DHT on a 4-bit ring: peers 1, 3, 4, 5, 8, 10, 12, 15. Ids are scaled
 * into the top 4 bits of the 160-bit space (k << 156), which keeps the core at one id width.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/random.ts';
import { SimRing } from './sim-ring.ts';

const S = 156n;
const id = (k: number): bigint => BigInt(k) << S;
const small = (x: bigint): number => Number(x >> S);
const PEERS = [1, 3, 4, 5, 8, 10, 12, 15];

function textbookRing(successorListLength = 2): SimRing {
  const sim = new SimRing(seededRandom(4), { successorListLength });
  sim.add(id(1)).create();
  for (const k of PEERS.slice(1)) sim.join(id(k), id(1));
  sim.rounds(6, 8);
  return sim;
}

describe('textbook ring 1,3,4,5,8,10,12,15', () => {
  it('converges: every peer knows its successor and predecessor', () => {
    const sim = textbookRing();
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
    expect(small(sim.core(id(5)).successor.id)).toBe(8);
    expect(small(sim.core(id(5)).predecessor!.id)).toBe(4);
  });

  it('key 11 is owned by peer 12, its closest successor', () => {
    const sim = textbookRing();
    expect(small(sim.trueSuccessor(11n << S))).toBe(12);
    for (const k of PEERS) {
      const r = sim.lookup(id(k), 11n << S);
      expect(r.type).toBe('done');
      if (r.type === 'done') expect(small(r.owner.id)).toBe(12);
    }
    expect(sim.core(id(12)).owns(11n << S)).toBe(true);
    expect(sim.core(id(10)).owns(11n << S)).toBe(false);
  });

  it('without shortcuts, peer 3 asks 4, 5, 8 and 10 in turn clockwise', () => {
    const sim = textbookRing(1);
    for (const k of PEERS) for (let i = 0; i < 160; i++) sim.core(id(k)).setFinger(i, null);
    const r = sim.lookup(id(3), 11n << S);
    expect(r.type).toBe('done');
    if (r.type !== 'done') return;
    expect(r.path.map((n) => small(n.id))).toEqual([4, 5, 8, 10]);
    expect(small(r.owner.id)).toBe(12);
  });

  it('peer 4 forwards key 11 via its shortcut 10', () => {
    const sim = textbookRing(1);
    const p4 = sim.core(id(4));
    for (let i = 0; i < 160; i++) p4.setFinger(i, null);
    p4.setFinger(157, sim.ref(id(10))); // the textbook's shortcut 4 → 10
    const step = p4.route(11n << S, sim.now);
    expect('forward' in step && small(step.forward[0]!.id)).toBe(10);
    const r = sim.lookup(id(4), 11n << S);
    expect(r.type === 'done' && r.path.map((n) => small(n.id))).toEqual([10]);
    expect(r.type === 'done' && small(r.owner.id)).toBe(12);
  });

  it('with Chord fingers (5, 8, 8, 12), peer 4 reaches key 11 via 8 and 10', () => {
    const sim = textbookRing();
    const fingers = sim.core(id(4)).fingers.slice(156).map((n) => small(n!.id));
    expect(fingers).toEqual([5, 8, 8, 12]);
    const r = sim.lookup(id(4), 11n << S);
    expect(r.type === 'done' && r.path.map((n) => small(n.id))).toEqual([8, 10]);
  });

  it('peer 5 leaves abruptly: 4 replaces it with 8 and takes 10 as its second successor', () => {
    const sim = textbookRing(2);
    sim.kill(id(5));
    const p4 = sim.core(id(4));
    sim.run(p4, p4.stabilize(sim.now + 1));
    expect(p4.successors.map((n) => small(n.id))).toEqual([8, 10]);
    sim.rounds(2);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.core(id(3)).successors.map((n) => small(n.id))).toEqual([4, 8]);
    expect(small(sim.core(id(8)).predecessor!.id)).toBe(4);
  });

  it('peer 13 joins knowing only peer 1: its successor is 15 and 12 then points at 13', () => {
    const sim = textbookRing(2);
    sim.join(id(13), id(1));
    const p13 = sim.core(id(13));
    expect(small(p13.successor.id)).toBe(15);
    expect(small(sim.core(id(15)).predecessor!.id)).toBe(13); // notified on join
    const p12 = sim.core(id(12));
    sim.run(p12, p12.stabilize(sim.now + 1));
    expect(small(p12.successor.id)).toBe(13);
    sim.rounds(2);
    expect(sim.wrongSuccessors()).toEqual([]);
    expect(sim.wrongPredecessors()).toEqual([]);
  });
});
