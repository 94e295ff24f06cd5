import { describe, it, expect } from 'vitest';
import { Choker, type ChokerPeer } from '../../../../peer/core/choker.ts';
import { seededRandom } from '../../../../src/random.ts';

const KB = 1024;
/** A peer that wants our data and sends us `rate` KB/s; connected long ago and still sending. */
function peer(id: string, rateKB: number, extra: Partial<ChokerPeer> = {}): ChokerPeer {
  return { id, interested: true, amInterested: true, downloadRate: rateKB * KB, uploadRate: 0, connectedAt: -1_000_000, lastBlockAt: 0, ...extra };
}
const sorted = (s: ReadonlySet<string>) => [...s].sort().join('');

describe('Choker while leeching (tit-for-tat)', () => {
  it('unchokes the 4 interested peers that gave us the most, plus one optimistic', () => {
    const swarm = [peer('A', 10), peer('B', 20), peer('C', 30), peer('D', 40), peer('E', 50), peer('F', 60)];
    const d = new Choker().rechoke(swarm, { now: 0, random: seededRandom(1), seeding: false });
    expect(sorted(new Set([...d.unchoke].filter((id) => d.reasons.get(id) === 'reciprocal')))).toBe('CDEF');
    expect(['A', 'B']).toContain(d.optimistic);
    expect(d.unchoke.size).toBe(5);
    expect(d.reasons.get(d.optimistic === 'A' ? 'B' : 'A')).toBe('outranked');
  });

  it('never unchokes peers that are not interested, however fast', () => {
    const swarm = [peer('A', 10), peer('Z', 999, { interested: false })];
    const d = new Choker().rechoke(swarm, { now: 0, random: seededRandom(1), seeding: false });
    expect(sorted(d.unchoke)).toBe('A');
    expect(d.reasons.get('Z')).toBe('not-interested');
  });

  it('the optimistic unchoke rotates every 30 s, not every 10 s', () => {
    const choker = new Choker();
    const swarm = ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((id, i) => peer(id, i < 3 ? 1 : 100));
    const random = seededRandom(7);
    const at = (now: number) => choker.rechoke(swarm, { now, random, seeding: false }).optimistic;
    const first = at(0);
    expect(['A', 'B', 'C']).toContain(first);
    expect(choker.due(5_000)).toBe(false);
    expect(choker.due(10_000)).toBe(true);
    expect(at(10_000)).toBe(first);
    expect(at(20_000)).toBe(first);
    const second = at(30_000);
    expect(['A', 'B', 'C']).toContain(second);
    expect(second).not.toBe(first);
  });

  it('newly connected peers are three times as likely to get the optimistic slot', () => {
    let young = 0;
    const runs = 2000;
    for (let seed = 0; seed < runs; seed++) {
      const swarm = [peer('old', 0, { connectedAt: -500_000 }), peer('new', 0, { connectedAt: -5_000, lastBlockAt: undefined })];
      const d = new Choker({ slots: 0 }).rechoke(swarm, { now: 0, random: seededRandom(seed), seeding: false });
      if (d.optimistic === 'new') young++;
    }
    expect(young / runs).toBeGreaterThan(0.68); // expected 0.75
    expect(young / runs).toBeLessThan(0.82);
  });

  it('anti-snubbing: a peer silent for 60 s loses its reciprocal slot', () => {
    const recent = { lastBlockAt: 99_000 };
    const swarm = [peer('A', 10, recent), peer('B', 20, recent), peer('C', 30, recent), peer('D', 40, recent), peer('S', 90, { lastBlockAt: 100_000 - 61_000 })];
    const d = new Choker({ slots: 4 }).rechoke(swarm, { now: 100_000, random: seededRandom(3), seeding: false });
    expect(sorted(d.snubbed)).toBe('S');
    expect([...d.unchoke].filter((id) => d.reasons.get(id) === 'reciprocal').sort().join('')).toBe('ABCD');
    // its only way back in is the optimistic slot
    expect(d.optimistic).toBe('S');
    // at 59 s of silence it is not snubbed yet
    const fresh = new Choker().rechoke([peer('S', 90, { lastBlockAt: 100_000 - 59_000 })], { now: 100_000, random: seededRandom(3), seeding: false });
    expect(fresh.snubbed.size).toBe(0);
    expect(fresh.reasons.get('S')).toBe('reciprocal');
  });

  it('tit-for-tat over time: a peer that starts sending us more takes a slot at the next rechoke', () => {
    const choker = new Choker({ slots: 2 });
    const random = seededRandom(4);
    const regular = (swarm: ChokerPeer[], now: number) => {
      const d = choker.rechoke(swarm, { now, random, seeding: false });
      return sorted(new Set([...d.unchoke].filter((id) => d.reasons.get(id) === 'reciprocal')));
    };
    expect(regular([peer('A', 50), peer('B', 40), peer('C', 5)], 0)).toBe('AB');
    // C now sends 60 KB/s, B dropped to 10: at 10 s C is in, B is out.
    expect(regular([peer('A', 50), peer('B', 10), peer('C', 60)], 10_000)).toBe('AC');
  });

  it('optimistic rotation every 30 s visits every choked peer and never a regular one', () => {
    const choker = new Choker({ slots: 2 });
    const random = seededRandom(11);
    const seen = new Set<string>();
    for (let now = 0; now <= 600_000; now += 10_000) {
      const swarm = [peer('A', 90), peer('B', 80), peer('C', 1), peer('D', 1), peer('E', 1)].map((p) => ({ ...p, lastBlockAt: now }));
      const d = choker.rechoke(swarm, { now, random, seeding: false });
      expect(d.reasons.get('A')).toBe('reciprocal');
      expect(['C', 'D', 'E']).toContain(d.optimistic);
      seen.add(d.optimistic as string);
    }
    expect(sorted(seen)).toBe('CDE');
  });

  it('unchoke-all mode unchokes every interested peer', () => {
    const swarm = ['A', 'B', 'C', 'D', 'E', 'F'].map((id) => peer(id, 1));
    const d = new Choker({ mode: 'unchoke-all' }).rechoke([...swarm, peer('N', 1, { interested: false })], { now: 0, random: seededRandom(1), seeding: false });
    expect(sorted(d.unchoke)).toBe('ABCDEF');
    expect(d.optimistic).toBeUndefined();
  });
});

describe('Choker while seeding', () => {
  it('round robin: every interested peer is served within a few periods', () => {
    const choker = new Choker();
    const swarm = 'ABCDEFGHIJ'.split('').map((id) => peer(id, 0, { amInterested: false }));
    const served = new Set<string>();
    const random = seededRandom(5);
    for (let now = 0; now <= 60_000; now += 10_000) {
      const d = choker.rechoke(swarm, { now, random, seeding: true });
      expect(d.unchoke.size).toBe(5);
      for (const id of d.unchoke) served.add(id);
    }
    expect(served.size).toBe(10);
  });

  it('round robin keeps a peer for its 30 s quantum', () => {
    const choker = new Choker({ slots: 1 });
    const swarm = ['A', 'B'].map((id) => peer(id, 0, { amInterested: false }));
    const random = seededRandom(2);
    const regular = (now: number) => {
      const d = choker.rechoke(swarm, { now, random, seeding: true });
      return [...d.unchoke].find((id) => d.reasons.get(id) === 'seed-slot');
    };
    const first = regular(0);
    expect(regular(10_000)).toBe(first);
    expect(regular(20_000)).toBe(first);
    expect(regular(30_000)).not.toBe(first);
  });

  it('upload-rate mode ranks by our rate to them', () => {
    const swarm = [1, 5, 3, 9, 7, 2].map((r, i) => peer('ABCDEF'[i] as string, 0, { uploadRate: r * KB, amInterested: false }));
    const d = new Choker({ seedMode: 'upload-rate' }).rechoke(swarm, { now: 0, random: seededRandom(1), seeding: true });
    expect([...d.unchoke].filter((id) => d.reasons.get(id) === 'seed-slot').sort().join('')).toBe('BCDE');
    expect(d.snubbed.size).toBe(0);
  });
});
