/** Injected randomness for pure cores: tests pass a seeded source, production uses crypto. */
import { randomInt } from 'node:crypto';

export interface Random {
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export const cryptoRandom: Random = {
  int: (n) => (n <= 1 ? 0 : randomInt(n)),
};

/** Deterministic generator (mulberry32) for tests and reproducible lab runs. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  return {
    int(n) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return Math.floor(r * n);
    },
  };
}

/** Fisher–Yates shuffle of a copy, using the given source. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
