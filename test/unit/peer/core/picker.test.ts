import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Availability } from '../../../../peer/core/availability.ts';
import { Bitfield } from '../../../../peer/core/bitfield.ts';
import { Layout } from '../../../../peer/core/layout.ts';
import { Picker, type PickerOptions } from '../../../../peer/core/picker.ts';
import { seededRandom } from '../../../../src/random.ts';

const BLOCKS = 4; // blocks per piece in these fixtures (1-byte blocks keep the numbers small)

/**
 * libtorrent-style fixture: `avail` is the copy count of each piece among peers, `have` marks
 * our pieces with '*'. Peer 'S' (a seed) is one of the copies, so it can be asked for anything.
 */
function setup(avail: string, have: string, options: PickerOptions = {}, seed = 1) {
  const n = avail.length;
  const layout = new Layout({ pieceLength: BLOCKS, length: n * BLOCKS, files: [{ path: ['f'], length: n * BLOCKS }] }, 1);
  const availability = new Availability(n);
  availability.setBitfield('S', Bitfield.full(n));
  const max = Math.max(...[...avail].map(Number));
  for (let p = 1; p < max; p++) {
    availability.setBitfield(`p${p}`, Bitfield.fromString([...avail].map((c) => (Number(c) > p ? '*' : ' ')).join('')));
  }
  const picker = new Picker({ geometry: layout, availability, random: seededRandom(seed), have: Bitfield.fromString(have.padEnd(n)) }, options);
  return { picker, availability, layout };
}

/** Pieces of the blocks picked, in order, without repeats. */
const piecesOf = (blocks: { piece: number }[]) => [...new Set(blocks.map((b) => b.piece))];

describe('Picker: which piece', () => {
  it('rarest first: availability "2223333", have "* * *  " → piece 1', () => {
    const { picker } = setup('2223333', '* * *  ', { randomFirst: 3 });
    expect(piecesOf(picker.pickBlocks('S', BLOCKS, 0))).toEqual([1]);
    // next rarest among what is left: 3, 5, 6 all have 3 copies
    expect([3, 5, 6]).toContain(piecesOf(picker.pickBlocks('S', BLOCKS, 0))[0]);
  });

  it('rarest first breaks ties at random', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const { picker } = setup('3131313', '', { randomFirst: 0 }, seed);
      const [p] = piecesOf(picker.pickBlocks('S', 1, 0));
      expect([1, 3, 5]).toContain(p);
      seen.add(p as number);
    }
    expect([...seen].sort()).toEqual([1, 3, 5]);
  });

  it('a newcomer (fewer than 4 pieces) picks at random, not rarest', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const { picker } = setup('1999999', '', {}, seed);
      seen.add(piecesOf(picker.pickBlocks('S', 1, 0))[0] as number);
    }
    expect(seen.size).toBeGreaterThan(4);
    // once we have 4 pieces, the rare one wins every time
    for (let seed = 0; seed < 10; seed++) {
      const { picker } = setup('19999999', ' ****', {}, seed);
      expect(piecesOf(picker.pickBlocks('S', 1, 0))).toEqual([0]);
    }
  });

  it('availability follows departures and arrivals: "3333", p2 leaves, X "* **" joins → "3233" → piece 1', () => {
    const { picker, availability } = setup('3333', '', { randomFirst: 0 });
    availability.removePeer('p2');
    availability.setBitfield('X', Bitfield.fromString('* **'));
    expect([0, 1, 2, 3].map((i) => availability.count(i)).join('')).toBe('3233');
    expect(piecesOf(picker.pickBlocks('S', 1, 0))).toEqual([1]);
  });

  it('choice is limited to pieces the peer has', () => {
    const { picker, availability } = setup('1222222', '', { randomFirst: 0 });
    availability.setBitfield('A', Bitfield.fromString('   *  *'));
    expect(picker.isInteresting('A')).toBe(true);
    const picked = piecesOf(picker.pickBlocks('A', 100, 0));
    expect(picked.sort()).toEqual([3, 6]);
    expect(picker.pickBlocks('A', 1, 0)).toEqual([]);
    expect(picker.pickBlocks('nobody', 4, 0)).toEqual([]);
  });

  it('a started piece goes first at equal rarity; a seed is asked for a rarer new piece first', () => {
    // A holds pieces 1..3 (3 copies each); piece 0 has 2 copies (S and p1)
    const { picker, availability } = setup('2333', '', { randomFirst: 0 });
    availability.setBitfield('A', Bitfield.fromString(' ***'));
    const first = picker.pickBlocks('A', 2, 0); // A starts a piece among 1..3 (2 of 4 blocks)
    const started = first[0]?.piece as number;
    expect(piecesOf(first)).toEqual([started]);
    // S could finish A's piece, but it has piece 0, rarer: the seed's upload goes there first
    const next = picker.pickBlocks('S', 6, 0);
    expect(next.slice(0, 4).map((b) => b.piece)).toEqual([0, 0, 0, 0]);
    expect(next.slice(4).map((b) => [b.piece, b.begin])).toEqual([
      [started, 2],
      [started, 3],
    ]);
  });

  it('a started piece goes first over a new piece as rare as it', () => {
    const { picker, availability } = setup('3333', '', { randomFirst: 0 });
    availability.setBitfield('A', Bitfield.fromString('****'));
    const started = picker.pickBlocks('A', 2, 0)[0]?.piece as number;
    expect(picker.pickBlocks('S', 2, 0).map((b) => [b.piece, b.begin])).toEqual([
      [started, 2],
      [started, 3],
    ]);
  });

  it('with as many started pieces as 1.5 × the peers, finishing one goes before a rarer new one', () => {
    // peers S, p1, p2, A → the cap is 1.5 × 4 = 6 started pieces. A is asked for whole pieces,
    // then leaves: its pieces stay started, every block free again.
    const swarm = (pieces: number) => {
      const { picker, availability } = setup('233333333', '', { randomFirst: 0, partialCap: 1 });
      availability.setBitfield('A', Bitfield.fromString(' ********'));
      const started = piecesOf(picker.pickBlocks('A', pieces * BLOCKS, 0));
      picker.releasePeer('A');
      return { picker, started };
    };
    const under = swarm(5);
    expect(under.picker.pickBlocks('S', 1, 0)[0]?.piece).toBe(0); // 5 started: the rarer new piece
    const over = swarm(6);
    expect(over.started).toHaveLength(6);
    expect(over.started).toContain(over.picker.pickBlocks('S', 1, 0)[0]?.piece); // 6: finish one
  });

  it('sequential and random strategies', () => {
    const seq = setup('9119', '*', { strategy: 'sequential' }).picker;
    expect(piecesOf(seq.pickBlocks('S', BLOCKS * 2, 0))).toEqual([1, 2]);
    const seen = new Set<number>();
    for (let seed = 0; seed < 40; seed++) seen.add(piecesOf(setup('9119', '', { strategy: 'random' }, seed).picker.pickBlocks('S', 1, 0))[0] as number);
    expect(seen.size).toBe(4); // the common pieces 0 and 3 too: random ignores rarity
  });
});

describe('Picker: blocks, arrivals, endgame', () => {
  it('accepts requested blocks, refuses unrequested ones, completes the piece', () => {
    const { picker } = setup('1', '');
    const blocks = picker.pickBlocks('S', 4, 0);
    expect(blocks.map((b) => b.begin)).toEqual([0, 1, 2, 3]);
    expect(picker.blockReceived('X', 0, 0, 1)).toEqual({ kind: 'unrequested' });
    expect(picker.blockReceived('S', 0, 0, 2).kind).toBe('unrequested'); // wrong length
    expect(picker.pickBlocks('S', 1, 0)).toEqual([{ piece: 0, begin: 0, length: 1 }]); // re-asked
    for (const b of [0, 1, 2]) expect(picker.blockReceived('S', 0, b, 1)).toEqual({ kind: 'accepted', cancels: [], pieceComplete: false });
    expect(picker.blockReceived('S', 0, 0, 1)).toEqual({ kind: 'duplicate' });
    expect(picker.blockReceived('S', 0, 3, 1)).toEqual({ kind: 'accepted', cancels: [], pieceComplete: true });
    picker.pieceVerified(0);
    expect(picker.isComplete).toBe(true);
    expect(picker.pickBlocks('S', 4, 0)).toEqual([]);
  });

  it('a piece failing its hash names its contributors and is downloaded again', () => {
    const { picker, availability } = setup('1', '');
    availability.setBitfield('B', Bitfield.full(1));
    picker.pickBlocks('S', 2, 0);
    picker.pickBlocks('B', 2, 0);
    for (const b of [0, 1]) picker.blockReceived('S', 0, b, 1);
    for (const b of [2, 3]) picker.blockReceived('B', 0, b, 1);
    expect(picker.pieceFailed(0).sort()).toEqual(['B', 'S']);
    expect(picker.pickBlocks('S', 4, 0)).toHaveLength(4);
  });

  it('choke/disconnect releases blocks for other peers', () => {
    const { picker, availability } = setup('1', '');
    availability.setBitfield('B', Bitfield.full(1));
    picker.pickBlocks('S', 4, 0);
    expect(picker.pickBlocks('B', 4, 0)).toHaveLength(4); // endgame duplicates
    expect(picker.releasePeer('S')).toHaveLength(4);
    picker.releasePeer('B');
    expect(picker.pickBlocks('B', 4, 0).map((b) => b.begin)).toEqual([0, 1, 2, 3]);
  });

  it('timed-out requests are re-asked elsewhere; late data is still taken', () => {
    const { picker, availability } = setup('1', '', { endgame: false });
    availability.setBitfield('B', Bitfield.full(1));
    picker.pickBlocks('S', 4, 1000);
    expect(picker.pickBlocks('B', 4, 1000)).toEqual([]);
    expect(picker.expireRequests(5000, 10_000)).toEqual([]);
    expect(picker.expireRequests(11_000, 10_000)).toHaveLength(4);
    expect(picker.pickBlocks('B', 4, 11_000)).toHaveLength(4);
    const late = picker.blockReceived('S', 0, 0, 1);
    expect(late).toEqual({ kind: 'accepted', cancels: [expect.objectContaining({ peer: 'B', piece: 0, begin: 0 })], pieceComplete: false });
  });

  it('endgame: once all blocks are requested, others are asked too and duplicates cancelled', () => {
    const { picker, availability } = setup('11', '*');
    availability.setBitfield('B', Bitfield.full(2));
    availability.setBitfield('C', Bitfield.full(2));
    expect(picker.pickBlocks('S', 4, 0)).toHaveLength(4);
    expect(picker.inEndgame).toBe(true);
    const dup = picker.pickBlocks('B', 2, 0);
    expect(dup.map((b) => b.begin)).toEqual([0, 1]);
    // C gets the least-asked blocks first
    expect(picker.pickBlocks('C', 2, 0).map((b) => b.begin)).toEqual([2, 3]);
    // B still has two in flight: no more duplicates until it is idle
    expect(picker.pickBlocks('B', 10, 0)).toEqual([]);
    const r = picker.blockReceived('B', 1, 0, 1);
    expect(r.kind).toBe('accepted');
    expect(r.kind === 'accepted' && r.cancels.map((o) => o.peer)).toEqual(['S']);
    expect(picker.blockReceived('S', 1, 0, 1)).toEqual({ kind: 'duplicate' }); // raced the cancel
    picker.blockReceived('B', 1, 1, 1);
    // idle again, but blocks 2 and 3 already have two askers (S and C): at most two per block
    expect(picker.pickBlocks('B', 10, 0)).toEqual([]);
    picker.releasePeer('C');
    expect(picker.pickBlocks('B', 10, 0).map((b) => b.begin)).toEqual([2, 3]);
  });

  it('endgame: an idle peer asks at most `endgameBatch` duplicates, oldest requests first', () => {
    const { picker, availability } = setup('11', '*', { endgameBatch: 2, endgameMaxAskers: 3 });
    availability.setBitfield('B', Bitfield.full(2));
    picker.pickBlocks('S', 2, 10);
    picker.pickBlocks('S', 2, 0); // blocks 2, 3 asked at t=0 (older)
    expect(picker.inEndgame).toBe(true);
    expect(picker.pickBlocks('B', 10, 20).map((b) => b.begin)).toEqual([2, 3]);
  });

  it('endgame: with endgameMinAgeMs, only requests at least that old are duplicated', () => {
    const { picker, availability } = setup('11', '*', { endgameMinAgeMs: 2000 });
    availability.setBitfield('B', Bitfield.full(2));
    picker.pickBlocks('S', 2, 0);
    picker.pickBlocks('S', 2, 1500);
    expect(picker.pickBlocks('B', 4, 1999)).toEqual([]);
    expect(picker.pickBlocks('B', 4, 2000).map((b) => b.begin)).toEqual([0, 1]);
  });

  it('blocks lost to a choke are stale: fresh blocks and new pieces first, late copies accepted', () => {
    const { picker, availability } = setup('11', '', { randomFirst: 0, strategy: 'sequential' });
    availability.setBitfield('B', Bitfield.full(2));
    expect(picker.pickBlocks('S', 2, 0).map((b) => [b.piece, b.begin])).toEqual([[0, 0], [0, 1]]);
    expect(picker.releasePeer('S', true)).toHaveLength(2);
    // B gets the rest of piece 0, then piece 1, before the stale blocks 0:0 and 0:1
    expect(picker.pickBlocks('B', 6, 0).map((b) => [b.piece, b.begin])).toEqual([[0, 2], [0, 3], [1, 0], [1, 1], [1, 2], [1, 3]]);
    expect(picker.pickBlocks('B', 1, 0).map((b) => [b.piece, b.begin])).toEqual([[0, 0]]);
    // S's late copy of 0:1 (asked of no one now) is accepted, B's of 0:0 too; S's of 0:0 is a duplicate
    expect(picker.blockReceived('S', 0, 1, 1).kind).toBe('accepted');
    expect(picker.blockReceived('B', 0, 0, 1).kind).toBe('accepted');
    expect(picker.blockReceived('S', 0, 0, 1)).toEqual({ kind: 'duplicate' });
  });

  it('a disconnect is not stale: its blocks are asked again first, and its late copies refused', () => {
    const { picker, availability } = setup('11', '', { randomFirst: 0, strategy: 'sequential' });
    availability.setBitfield('B', Bitfield.full(2));
    picker.pickBlocks('S', 2, 0);
    picker.releasePeer('S');
    expect(picker.pickBlocks('B', 2, 0).map((b) => [b.piece, b.begin])).toEqual([[0, 0], [0, 1]]);
    expect(picker.blockReceived('S', 0, 0, 1)).toEqual({ kind: 'unrequested' });
  });

  it('no endgame while some block is still unrequested', () => {
    const { picker, availability } = setup('11', '');
    availability.setBitfield('B', Bitfield.fromString('* '));
    picker.pickBlocks('B', 4, 0);
    expect(picker.inEndgame).toBe(false);
    expect(picker.pickBlocks('S', 4, 0).every((b) => b.piece === 1)).toBe(true);
    expect(picker.inEndgame).toBe(true);
  });

  it('property: a simulated download completes with no block asked twice of a peer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom<PickerOptions['strategy']>('rarest-first', 'random', 'sequential'),
        fc.integer(),
        (n, script, strategy, seed) => {
          const peers = ['A', 'B', 'C'];
          const layout = new Layout({ pieceLength: 3, length: n * 3 - 1, files: [{ path: ['f'], length: n * 3 - 1 }] }, 1);
          const availability = new Availability(n);
          for (const p of peers) availability.setBitfield(p, Bitfield.full(n));
          const picker = new Picker({ geometry: layout, availability, random: seededRandom(seed) }, { strategy });
          const outstanding = peers.map(() => [] as { piece: number; begin: number; length: number }[]);
          let steps = 0;
          const act = (x: number) => {
            const who = x % 3;
            const peer = peers[who] as string;
            const mine = outstanding[who] as { piece: number; begin: number; length: number }[];
            if (x < 30 && mine.length > 0) {
              const b = mine.shift() as { piece: number; begin: number; length: number };
              const r = picker.blockReceived(peer, b.piece, b.begin, b.length);
              expect(r.kind).not.toBe('unrequested');
              if (r.kind === 'accepted') {
                for (const c of r.cancels) {
                  const list = outstanding[peers.indexOf(c.peer)] as typeof mine;
                  list.splice(list.findIndex((o) => o.piece === c.piece && o.begin === c.begin), 1);
                }
                if (r.pieceComplete) picker.pieceVerified(b.piece);
              }
            } else if (x < 35) {
              picker.releasePeer(peer);
              mine.length = 0;
            } else {
              for (const b of picker.pickBlocks(peer, 1 + (x % 4), steps)) {
                expect(mine.some((o) => o.piece === b.piece && o.begin === b.begin)).toBe(false);
                expect(picker.have.has(b.piece)).toBe(false);
                mine.push(b);
              }
            }
            steps++;
          };
          for (const x of script) act(x);
          // then drain deterministically: every peer asks and delivers until done
          for (let guard = 0; !picker.isComplete && guard < 10_000; guard++) act(guard % 3 === 0 ? 40 + (guard % 3) : guard % 3);
          expect(picker.isComplete).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
