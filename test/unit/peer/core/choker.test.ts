import { describe, it, expect } from 'vitest';
import { Choker, type ChokerPeer } from '../../../../peer/core/choker.ts';
import { seededRandom } from '../../../../src/random.ts';

const KB = 1024;
/** A peer that wants our data, unchokes us and sends us `rate` KB/s; connected long ago and still sending. */
function peer(id: string, rateKB: number, extra: Partial<ChokerPeer> = {}): ChokerPeer {
  return { id, interested: true, amInterested: true, peerChoking: false, downloadRate: rateKB * KB, uploadRate: 0, connectedAt: -1_000_000, lastBlockAt: 0, ...extra };
}
const reciprocal = (d: { unchoke: ReadonlySet<string>; reasons: ReadonlyMap<string, string> }) =>
  [...d.unchoke].filter((id) => d.reasons.get(id) === 'reciprocal').sort().join('');
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

  it('anti-snubbing only counts a peer that unchoked us: one that chokes us is just outranked', () => {
    const now = 100_000;
    const silent = { downloadRate: 0, lastBlockAt: undefined };
    const d = new Choker({ slots: 4 }).rechoke(
      [peer('C', 0, { ...silent, peerChoking: true }), peer('U', 0, { ...silent, unchokedUsAt: now - 61_000 })],
      { now, random: seededRandom(1), seeding: false },
    );
    expect(sorted(d.snubbed)).toBe('U');
    expect(d.reasons.get('C')).toBe('reciprocal'); // a free slot, and C is not snubbing us
  });

  it('the snub clock starts when the peer unchoked us, not when it connected', () => {
    const now = 100_000;
    const choker = new Choker();
    const silent = { downloadRate: 0, lastBlockAt: undefined };
    expect(choker.isSnubbed(peer('U', 0, { ...silent, unchokedUsAt: now - 59_000 }), now)).toBe(false);
    expect(choker.isSnubbed(peer('U', 0, { ...silent, unchokedUsAt: now - 60_000 }), now)).toBe(true);
    // a block after the unchoke restarts it
    expect(choker.isSnubbed(peer('U', 0, { lastBlockAt: now - 1_000, unchokedUsAt: now - 90_000 }), now)).toBe(false);
    // nothing we want from it: never snubbed
    expect(choker.isSnubbed(peer('U', 0, { ...silent, amInterested: false, unchokedUsAt: now - 90_000 }), now)).toBe(false);
  });

  it('at equal (zero) rates a trade partner goes before a newcomer with nothing for us', () => {
    // Start of a swarm: nobody has sent anything yet. N has nothing we want.
    for (let seed = 0; seed < 50; seed++) {
      const swarm = [peer('A', 0), peer('B', 0), peer('N', 0, { amInterested: false, connectedAt: -100 })];
      const d = new Choker({ slots: 2, newPeerMs: 0 }).rechoke(swarm, { now: 0, random: seededRandom(seed), seeding: false });
      expect(reciprocal(d)).toBe('AB');
      expect(d.optimistic).toBe('N'); // its way in
    }
  });

  it('at zero rates a peer that unchokes us goes before one that chokes us (a free rider)', () => {
    for (let seed = 0; seed < 50; seed++) {
      const swarm = [peer('A', 0), peer('R', 0, { peerChoking: true }), peer('B', 0)];
      const d = new Choker({ slots: 2 }).rechoke(swarm, { now: 0, random: seededRandom(seed), seeding: false });
      expect(reciprocal(d)).toBe('AB');
    }
  });

  it('a peer that gave us nothing never beats one that gave us something', () => {
    for (let seed = 0; seed < 50; seed++) {
      const swarm = [peer('Z', 0), peer('Y', 0), peer('S', 0.01), peer('T', 0.02)];
      const d = new Choker({ slots: 2 }).rechoke(swarm, { now: 0, random: seededRandom(seed), seeding: false });
      expect(reciprocal(d)).toBe('ST');
    }
  });

  it('an optimistic peer that becomes fast keeps the optimistic slot for its interval: no early redraw', () => {
    const choker = new Choker({ slots: 2 });
    const random = seededRandom(5);
    const rates: Record<string, number> = { A: 50, B: 40, C: 0, D: 0, F: 0 };
    const round = (now: number) => choker.rechoke(Object.entries(rates).map(([id, r]) => peer(id, r, { lastBlockAt: now })), { now, random, seeding: false });
    const first = round(0);
    expect(reciprocal(first)).toBe('AB');
    const o = first.optimistic as string;
    expect(['C', 'D', 'F']).toContain(o);
    // The optimistic peer reciprocates and is now our fastest: still the optimistic one, the
    // regular slots stay A and B, and the slot does not go to anyone else before 30 s.
    rates[o] = 100;
    for (const now of [10_000, 20_000]) {
      const d = round(now);
      expect(d.optimistic).toBe(o);
      expect(reciprocal(d)).toBe('AB');
      expect(d.unchoke.size).toBe(3);
    }
    // At 30 s it is promoted on its merit and a new optimistic peer is drawn from the rest.
    const later = round(30_000);
    expect(reciprocal(later)).toBe(['A', o].sort().join(''));
    expect(['B', 'C', 'D', 'F'].filter((x) => x !== o)).toContain(later.optimistic);
  });

  it('a holder that loses interest is replaced at once', () => {
    const choker = new Choker({ slots: 1 });
    const random = seededRandom(9);
    const swarm = [peer('A', 50), peer('B', 0), peer('C', 0)];
    const o = choker.rechoke(swarm, { now: 0, random, seeding: false }).optimistic as string;
    const d = choker.rechoke(swarm.map((p) => (p.id === o ? { ...p, interested: false } : p)), { now: 10_000, random, seeding: false });
    expect(d.optimistic).toBe(['B', 'C'].find((x) => x !== o));
  });

  it('tit-for-tat over time: a peer that starts sending us more takes a slot at the next rechoke', () => {
    const choker = new Choker({ slots: 2 });
    const random = seededRandom(4);
    const first = choker.rechoke([peer('A', 50), peer('B', 40), peer('C', 5), peer('D', 5)], { now: 0, random, seeding: false });
    expect(reciprocal(first)).toBe('AB');
    // The one of C, D not holding the optimistic slot now sends 60 KB/s, B dropped to 10: at 10 s it is in, B is out.
    const riser = first.optimistic === 'C' ? 'D' : 'C';
    const swarm = [peer('A', 50), peer('B', 10), peer('C', riser === 'C' ? 60 : 5), peer('D', riser === 'D' ? 60 : 5)];
    const d = choker.rechoke(swarm, { now: 10_000, random, seeding: false });
    expect(reciprocal(d)).toBe(['A', riser].sort().join(''));
    expect(d.reasons.get('B')).toBe('outranked');
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

  it('optimistic turns go round: each choked peer once per round, in random order', () => {
    const choker = new Choker({ slots: 1 });
    const random = seededRandom(21);
    const turns: string[] = [];
    for (let now = 0; now < 8 * 30_000; now += 30_000) {
      const swarm = [peer('A', 90), peer('B', 0), peer('C', 0), peer('D', 0), peer('E', 0)].map((p) => ({ ...p, lastBlockAt: now }));
      turns.push(choker.rechoke(swarm, { now, random, seeding: false }).optimistic as string);
    }
    expect([...turns.slice(0, 4)].sort().join('')).toBe('BCDE');
    expect([...turns.slice(4)].sort().join('')).toBe('BCDE');
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

  it('seedSlots: a seed serves that many at once, and only while seeding', () => {
    const swarm = 'ABCDEFGHIJ'.split('').map((id) => peer(id, 0, { amInterested: false }));
    const choker = new Choker({ seedSlots: 8 });
    const seed = choker.rechoke(swarm, { now: 0, random: seededRandom(3), seeding: true });
    expect([...seed.unchoke].filter((id) => seed.reasons.get(id) === 'seed-slot')).toHaveLength(8);
    expect(seed.unchoke.size).toBe(9); // + the optimistic one
    const leech = new Choker({ seedSlots: 8 }).rechoke(swarm, { now: 0, random: seededRandom(3), seeding: false });
    expect(leech.unchoke.size).toBe(5); // leeching keeps the 4 reciprocal slots
  });

  it('upload-rate mode ranks by our rate to them', () => {
    const swarm = [1, 5, 3, 9, 7, 2].map((r, i) => peer('ABCDEF'[i] as string, 0, { uploadRate: r * KB, amInterested: false }));
    const d = new Choker({ seedMode: 'upload-rate' }).rechoke(swarm, { now: 0, random: seededRandom(1), seeding: true });
    expect([...d.unchoke].filter((id) => d.reasons.get(id) === 'seed-slot').sort().join('')).toBe('BCDE');
    expect(d.snubbed.size).toBe(0);
  });
});
