import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SwarmTable, swarmOptionsFor, type AnnounceRequest } from '../../../tracker/swarm.ts';
import { seededRandom } from '../../../src/random.ts';

const IH = 'aa'.repeat(20);
/** Peer n: id "pN", address 10.0.0.N:6881, a leecher unless `left` says otherwise. */
function req(n: number, over: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return { infoHash: IH, peerId: `p${n}`, host: `10.0.0.${n}`, port: 6881, left: 100n, event: 'started', numwant: 50, ...over };
}
const ids = (r: { peers: { peerId: string }[] }): string[] => r.peers.map((p) => p.peerId).sort();

describe('SwarmTable.announce', () => {
  it('a first peer gets nobody; the second gets the first, never itself', () => {
    const t = new SwarmTable(seededRandom(1));
    expect(t.announce(req(1), 0).peers).toEqual([]);
    const r = t.announce(req(2), 0);
    expect(ids(r)).toEqual(['p1']);
    expect(r).toMatchObject({ complete: 0, incomplete: 2 });
  });

  it('counts seeds (left = 0) and leechers, and seeds are handed only leechers', () => {
    const t = new SwarmTable(seededRandom(2));
    t.announce(req(1, { left: 0n }), 0);
    t.announce(req(2, { left: 0n }), 0);
    t.announce(req(3), 0);
    const seedView = t.announce(req(1, { left: 0n, event: 'none' }), 1);
    expect(ids(seedView)).toEqual(['p3']);
    expect(seedView).toMatchObject({ complete: 2, incomplete: 1 });
    expect(ids(t.announce(req(3, { event: 'none' }), 1))).toEqual(['p1', 'p2']);
  });

  it('returns at most numwant distinct peers, capped by maxNumwant', () => {
    const t = new SwarmTable(seededRandom(3), { maxNumwant: 30 });
    for (let i = 1; i <= 100; i++) t.announce(req(i), 0);
    const r = t.announce(req(1, { numwant: 10 }), 0);
    expect(new Set(ids(r)).size).toBe(10);
    expect(ids(r)).not.toContain('p1');
    expect(t.announce(req(2, { numwant: 1_000_000 }), 0).peers).toHaveLength(30);
    expect(t.announce(req(2, { numwant: 0 }), 0).peers).toHaveLength(0);
  });

  it('completed moves a leecher to the seeds and counts one download, once', () => {
    const t = new SwarmTable(seededRandom(4));
    t.announce(req(1), 0);
    t.announce(req(1, { left: 0n, event: 'completed' }), 1);
    t.announce(req(1, { left: 0n, event: 'completed' }), 2);
    expect(t.scrape(IH)).toEqual({ complete: 1, incomplete: 0, downloaded: 1 });
  });

  it('a leecher that stops with left=0 and no completed event still counts (aria2 --seed-time=0)', () => {
    const t = new SwarmTable(seededRandom(4));
    t.announce(req(1), 0);
    t.announce(req(1, { left: 0n, event: 'stopped' }), 1);
    expect(t.scrape(IH)).toEqual({ complete: 0, incomplete: 0, downloaded: 1 });
    t.announce(req(2, { left: 0n }), 2); // a seed from the start downloaded nothing here
    expect(t.scrape(IH).downloaded).toBe(1);
  });

  it('stopped removes the peer and returns no peers', () => {
    const t = new SwarmTable(seededRandom(5));
    t.announce(req(1), 0);
    t.announce(req(2), 0);
    expect(t.announce(req(2, { event: 'stopped' }), 1).peers).toEqual([]);
    expect(t.scrape(IH)).toMatchObject({ incomplete: 1 });
    expect(ids(t.announce(req(3), 2))).toEqual(['p1']);
  });

  it('a new peer id on a known endpoint replaces the stale entry (never handed to itself)', () => {
    const t = new SwarmTable(seededRandom(6));
    t.announce(req(1), 0);
    const r = t.announce(req(1, { peerId: 'p1-restarted' }), 1);
    expect(r.peers).toEqual([]);
    expect(t.peerCount).toBe(1);
  });

  it('prune drops peers silent for longer than the timeout and keeps the rest', () => {
    const t = new SwarmTable(seededRandom(7), swarmOptionsFor(60)); // timeout 150 s
    t.announce(req(1), 0);
    t.announce(req(2), 100_000);
    expect(t.prune(149_000)).toBe(0);
    expect(t.prune(151_000)).toBe(1);
    expect(ids(t.announce(req(3), 151_000))).toEqual(['p2']);
  });

  it('records changes for persistence only when state changes', () => {
    const t = new SwarmTable(seededRandom(8));
    t.announce(req(1), 0);
    expect(t.drainChanges().map((c) => c.kind)).toEqual(['put']);
    t.announce(req(1, { event: 'none' }), 1);
    expect(t.drainChanges()).toEqual([]);
    t.announce(req(1, { event: 'stopped' }), 2);
    expect(t.drainChanges().map((c) => c.kind)).toEqual(['del']);
  });

  it('snapshot/restore round-trips peers and download counts', () => {
    const a = new SwarmTable(seededRandom(9));
    a.announce(req(1, { left: 0n, event: 'completed' }), 0);
    a.announce(req(2), 0);
    const b = new SwarmTable(seededRandom(9));
    b.restore(a.snapshot(), 5);
    expect(b.scrape(IH)).toEqual(a.scrape(IH));
    expect(ids(b.announce(req(3), 6))).toEqual(['p1', 'p2']);
  });

  it('selection over 100k peers is fast (O(numwant), not a shuffle)', () => {
    const t = new SwarmTable(seededRandom(10));
    for (let i = 0; i < 100_000; i++) t.announce({ ...req(0), numwant: 0, peerId: `x${i}`, host: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` }, 0);
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) t.announce({ ...req(0), peerId: `x${i}`, host: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, event: 'none' }, 1);
    expect(performance.now() - t0).toBeLessThan(2000); // ~µs each; a full shuffle would be ~1 s each
  });

  it('property: peers are distinct, never the requester, min(numwant, others) many', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 80 }), fc.integer(), fc.array(fc.boolean(), { maxLength: 60 }), (n, want, seed, seeds) => {
        const t = new SwarmTable(seededRandom(seed));
        for (let i = 1; i <= n; i++) t.announce(req(i, { left: seeds[i] ? 0n : 5n }), 0);
        const me = 1 + (Math.abs(seed) % n);
        const isSeed = Boolean(seeds[me]);
        const r = t.announce(req(me, { left: isSeed ? 0n : 5n, numwant: want, event: 'none' }), 1);
        const got = ids(r);
        expect(new Set(got).size).toBe(got.length);
        expect(got).not.toContain(`p${me}`);
        const others = isSeed ? r.incomplete : r.complete + r.incomplete - 1;
        expect(got.length).toBe(Math.min(want, others));
      }),
      { numRuns: 300 },
    );
  });
});
