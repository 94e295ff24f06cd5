/**
 * Rarest first gets the rare pieces out of the seed. The same swarm (a slow seed, u_s = u/2, 80
 * pieces, 6 leechers trading freely) runs with the 'rarest-first' and the 'random' picker. The
 * seed's scarce upload is the bottleneck for pieces nobody else has: rarest first spends it on
 * exactly those, so (the hypothesis under test) the seed uploads about F before every piece has a copy outside it; random
 * order keeps fetching from the seed pieces the leechers already hold (coupon collecting), so it
 * needs several F. We measure the seed's payload bytes until every piece has a second copy,
 * and sample every 50 ms the pieces still held by the seed alone and the max − min spread of the
 * copy counts (seed + leechers), reported over time. Each picker runs twice; medians compare.
 *
 * (An earlier measure, the coefficient of variation of copy counts at equal mean copies, did not
 * separate the orders in a 7-host full mesh: it differed by 0–6 % and flipped sign between runs.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mean, median, testSwarm, type TestSwarm } from '../../helpers/swarm.ts';

const KiB = 1024;
/** A run stops when every piece is outside the seed, or after this (the figures are then lower bounds). */
const CAP_MS = Number(process.env.RS_CAP ?? 5_000);
let swarm: TestSwarm | undefined;
afterEach(async () => {
  await swarm?.stop();
  swarm = undefined;
});

interface Sample {
  ms: number;
  /** Mean copies per piece (progress). */
  level: number;
  /** Pieces held only by the seed. */
  seedOnly: number;
  /** max − min of the copy counts. */
  spread: number;
}

interface Run {
  /** Torrent bytes. */
  F: number;
  /** Seed payload bytes uploaded when every piece first had a copy outside the seed (or at the cap). */
  seedBytes: number;
  /** ms until then. */
  coverMs: number;
  covered: boolean;
  samples: Sample[];
}

async function run(picker: 'rarest-first' | 'random'): Promise<Run> {
  // RS_* knobs for exploring other swarms by hand (defaults: the swarm described above).
  const E = process.env;
  const u = Number(E.RS_U ?? 1024) * KiB;
  const fileBytes = Number(E.RS_P ?? 80) * 16 * KiB;
  const chokerOptions = { rechokeIntervalMs: 200, optimisticIntervalMs: 600, seedQuantumMs: 600 };
  swarm = await testSwarm(Number(E.RS_N ?? 6), {
    fileBytes,
    seedUp: u * Number(E.RS_S ?? 0.5),
    peerUp: u,
    ...(E.RS_D ? { peerDown: u * Number(E.RS_D) } : {}),
    client: { picker, chokerOptions },
    ...(E.RS_SLOTS ? { seedClient: { chokerOptions: { ...chokerOptions, slots: Number(E.RS_SLOTS) } } } : {}),
  });
  const s = swarm;
  const samples: Sample[] = [];
  const sample = (): Sample => {
    const c = s.copies();
    return { ms: s.elapsed(), level: mean(c), seedOnly: c.filter((x) => x <= 1).length, spread: Math.max(...c) - Math.min(...c) };
  };
  const timer = setInterval(() => samples.push(sample()), 50);
  // Checked on every verified piece so the seed's bytes are read at the moment of coverage.
  const covered = await new Promise<boolean>((resolve) => {
    const check = (): void => {
      if (Math.min(...s.copies()) >= 2) resolve(true);
    };
    for (const p of s.peers) p.torrent.on('verified', check);
    setTimeout(() => resolve(false), CAP_MS);
    check();
  });
  const seedBytes = s.seed.stats().uploaded;
  const coverMs = s.elapsed();
  clearInterval(timer);
  samples.push(sample());
  await s.stop();
  swarm = undefined;
  return { F: fileBytes, seedBytes, coverMs, covered, samples };
}

/** Samples at or just past each progress mark (mean copies), so both orders compare at equal progress. */
function atLevels(r: Run, marks: readonly number[]): (Sample | undefined)[] {
  return marks.map((m) => r.samples.find((x) => x.level >= m));
}

function describeRun(name: string, r: Run): string {
  const every = Math.max(1, Math.floor(r.samples.length / 12));
  const series = r.samples.filter((_, i) => i % every === 0).map((x) => `${(x.ms / 1000).toFixed(2)}s:${x.seedOnly}/${x.spread}`);
  return `${name.padEnd(12)} seed bytes ${(r.seedBytes / r.F).toFixed(2)} F in ${(r.coverMs / 1000).toFixed(2)} s${r.covered ? '' : ' (cap, not covered)'}; mean max−min ${mean(r.samples.map((x) => x.spread)).toFixed(2)}; t:seed-only/spread ${series.join(' ')}`;
}

describe('piece copies over time', () => {
  // Not met (a514c9b + this measure): seed bytes until every piece has a copy outside the seed,
  // median of 2 runs each — u=1 MiB/s, u_s=u/2, 80 pieces: rarest 1.52 F vs random 1.66 F (×1.09);
  // u_s=2u, seed slots 4: 1.71 vs 1.87 F; seed slots 6: 2.14 vs 2.30 F; u=256 KiB/s, u_s=4u: 2.26
  // vs 2.32 F; with peerDown=u or u_s/4: 2.54 vs 2.58 F, 2.51 vs 2.52 F; u=512 KiB/s, u_s=u/2, 64
  // pieces: 1.42 vs ≥1.52 F. Seed-only pieces at equal mean copies differ by ≤ 5 of 80. Why, as far
  // as measured: (1) in a full mesh the leechers copy each other faster than the seed uploads, so
  // a leecher's missing set is nearly the seed-only set and a random pick from the seed is a rare
  // piece anyway; (2) pieces are one block, so each leecher keeps ≥ 4 (1 s of rate) pieces
  // requested from the seed, chosen independently, and several leechers fetch the same piece
  // (rarest first too: 1.4–2.5 F). A separating swarm needs leechers that lag the swarm's union
  // (sparse neighbour sets rather than a full mesh) or a shallower seed pipeline.
  // Run with RINGSWARM_SWARM_EVIDENCE=1; drop the skipIf once met.
  it.skipIf(process.env.RINGSWARM_SWARM_EVIDENCE !== '1')('rarest-first gets every piece out of the seed with far fewer seed bytes than random order', async () => {
    // Interleaved (rarest, random, rarest, random) so drift in machine load hits both orders alike.
    const rs: Run[] = [];
    const xs: Run[] = [];
    for (let i = 0; i < 2; i++) {
      rs.push(await run('rarest-first'));
      xs.push(await run('random'));
    }
    const F = rs[0]!.F;
    rs.forEach((r, i) => console.log(describeRun(`rarest #${i + 1}`, r)));
    xs.forEach((r, i) => console.log(describeRun(`random #${i + 1}`, r)));
    const marks = [1.5, 2, 3, 4];
    for (const m of marks) {
      const at = (runs: Run[]): string => runs.map((r) => atLevels(r, [m])[0]?.seedOnly ?? '-').join(',');
      console.log(`at mean copies ${m}: seed-only pieces rarest ${at(rs)} vs random ${at(xs)}`);
    }
    const rb = median(rs.map((r) => r.seedBytes));
    const xb = median(xs.map((r) => r.seedBytes));
    console.log(`median seed bytes to cover: rarest-first ${(rb / F).toFixed(2)} F, random ${(xb / F).toFixed(2)} F, ratio ${(xb / rb).toFixed(2)}`);
    // Rarest first must actually finish the coverage within the cap; random may not (then its figure is a lower bound).
    expect(rs.every((r) => r.covered)).toBe(true);
    expect(xb).toBeGreaterThanOrEqual(1.3 * rb);
    // At equal progress, random order leaves more pieces with the seed alone.
    const seedOnlyAt = (runs: Run[], m: number): number => median(runs.map((r) => atLevels(r, [m])[0]?.seedOnly ?? 0));
    expect(seedOnlyAt(xs, 2)).toBeGreaterThan(seedOnlyAt(rs, 2));
  }, 30_000);
});
