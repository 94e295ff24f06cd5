/**
 * Payload trees for transfer tests: random files of chosen sizes (sizes that make pieces span
 * files, a short last piece, an empty-ish tiny file), and a byte-for-byte comparison.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Relative path → size. */
export type TreeSpec = Record<string, number>;

/** A multi-file layout whose boundaries fall inside pieces for any power-of-two piece length ≥ 16 KiB. */
export const MULTI_FILE: TreeSpec = {
  'a.bin': 1_000_003,
  'sub/b.bin': 2_500_001,
  'sub/deeper/c.txt': 17,
  'd.bin': 700_000,
};

export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [rel, size] of Object.entries(spec)) {
    const p = join(root, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, randomBytes(size));
  }
}

/** Paths of `spec` whose content differs (or is missing) between two roots; [] when identical. */
export async function diffTrees(a: string, b: string, spec: TreeSpec): Promise<string[]> {
  const bad: string[] = [];
  for (const rel of Object.keys(spec)) {
    const [x, y] = await Promise.all([readFile(join(a, rel)), readFile(join(b, rel)).catch(() => undefined)]);
    if (!y || Buffer.compare(x, y) !== 0) bad.push(rel);
  }
  return bad;
}
