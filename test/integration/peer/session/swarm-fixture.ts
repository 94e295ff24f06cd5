/** Shared setup for the session tests: a multi-file torrent on disk and clients on 127.0.0.1. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent, type Metainfo } from '../../../../src/codec/metainfo.ts';
import { seededRandom } from '../../../../src/random.ts';
import { Client, type ClientOptions } from '../../../../peer/session/client.ts';
import { tempDir } from '../../../helpers/tmp.ts';
import { cleanupAfterEach } from '../../../helpers/cleanup.ts';

export interface Fixture {
  root: string;
  /** Folder holding the torrent's data (the seeder's downloadDir). */
  seedDir: string;
  metainfo: Metainfo;
  files: { rel: string; data: Uint8Array }[];
  cleanup: () => Promise<void>;
}

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Files of odd sizes so pieces span files and the last piece (and its last block) is short.
 * Default: 3 files, ~300 KiB, 32 KiB pieces.
 */
export async function makeFixture(sizes: number[] = [100_000, 7, 150_003, 61_111], pieceLength = 32 * 1024, trackers?: string[]): Promise<Fixture> {
  const t = await tempDir('ringswarm-session-');
  const seedDir = join(t.path, 'seed');
  const dir = join(seedDir, 'multi');
  await mkdir(join(dir, 'sub'), { recursive: true });
  const files = sizes.map((n, i) => ({ rel: i % 2 ? join('sub', `f${i}.bin`) : `f${i}.bin`, data: bytes(n, 1000 + i) }));
  for (const f of files) await writeFile(join(dir, f.rel), f.data);
  const { metainfo } = await createTorrent(dir, { pieceLength, creationDate: null, ...(trackers ? { trackers } : {}) });
  return { root: t.path, seedDir, metainfo, files, cleanup: t.cleanup };
}

export async function sameFiles(f: Fixture, downloadDir: string): Promise<boolean> {
  for (const file of f.files) {
    const got = await readFile(join(downloadDir, 'multi', file.rel));
    if (!Buffer.from(file.data).equals(got)) return false;
  }
  return true;
}

let seq = 1;
export function client(options: ClientOptions = {}): Client {
  return new Client({ host: '127.0.0.1', port: 0, random: seededRandom(seq++), chokerOptions: { rechokeIntervalMs: 500, optimisticIntervalMs: 1000 }, ...options });
}

export function local(c: Client): { host: string; port: number } {
  return { host: '127.0.0.1', port: c.port };
}

/** Fixtures and started clients of one test file, removed after each test (see cleanupAfterEach). */
export function sessionCleanup(): { fixture: typeof makeFixture; started: (c: Client) => Client; defer: (stop: () => Promise<unknown>) => void } {
  const defer = cleanupAfterEach();
  return {
    defer,
    fixture: async (...a) => {
      const f = await makeFixture(...a);
      defer(f.cleanup);
      return f;
    },
    started: (c) => {
      defer(() => c.stop());
      return c;
    },
  };
}
