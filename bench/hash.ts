/**
 * Hashing throughput: `sha1sum` vs ringswarm's createTorrent on the same file (warm page cache,
 * so both measure hashing rather than the disk). Target: ringswarm ≥ 0.80 × sha1sum.
 *
 *   npx tsx bench/hash.ts [sizeMiB=1024] [pieceLength=default]
 *
 * Prints figures; never pass/fail.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent, parseSize } from '../src/codec/metainfo.ts';
import { tempDir } from '../test/helpers/tmp.ts';

const sizeMiB = Number(process.argv[2] ?? 1024);
const pieceLength = process.argv[3] ? parseSize(process.argv[3]) : undefined;
const bytes = sizeMiB * 2 ** 20;
const RUNS = 3;

async function makeFile(path: string): Promise<void> {
  const block = randomBytes(16 * 2 ** 20);
  const fh = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; written += block.length) {
      await fh.write(block, 0, Math.min(block.length, bytes - written));
    }
  } finally {
    await fh.close();
  }
}

/** Best of RUNS (least disturbed by other load), in seconds. */
async function best(f: () => Promise<unknown> | unknown): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

const dir = await tempDir('ringswarm-bench-hash-');
try {
  const file = join(dir.path, 'data.bin');
  await makeFile(file);
  const mbps = (s: number): string => (bytes / 1e6 / s).toFixed(0);

  const tSha = await best(() => execFileSync('sha1sum', [file], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let pieces = 0;
  const tOurs = await best(async () => {
    const { metainfo } = await createTorrent(file, { pieceLength, creationDate: null });
    pieces = metainfo.pieceCount;
  });
  console.log(`file: ${sizeMiB} MiB, ${pieces} pieces, best of ${RUNS} runs, warm cache`);
  console.log(`sha1sum:        ${tSha.toFixed(2)} s  ${mbps(tSha)} MB/s`);
  console.log(`createTorrent:  ${tOurs.toFixed(2)} s  ${mbps(tOurs)} MB/s`);
  console.log(`ratio (ringswarm / sha1sum): ${(tSha / tOurs).toFixed(2)} (target ≥ 0.80)`);
} finally {
  await dir.cleanup();
}
