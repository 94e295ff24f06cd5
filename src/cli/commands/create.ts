/**
 * `ringswarm create <file|dir> [-t URL…] [--piece-length N] [--private] [--comment C] [-o out] [--json]`
 * Each -t is one tracker tier; comma-separated URLs within one -t share that tier (BEP 12).
 */
import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { createTorrent, parseSize, MIN_PIECE_LENGTH } from '../../codec/metainfo.ts';
import { describeTorrent, torrentSummary } from './info.ts';
import { collect, stdio, type CommandIO } from '../shared.ts';

export interface CreateCommandOptions {
  tracker?: string[];
  pieceLength?: string;
  private?: boolean;
  comment?: string;
  name?: string;
  webSeed?: string[];
  date?: boolean; // false with --no-date
  output?: string;
  json?: boolean;
}

const MAX_CLI_PIECE_LENGTH = 256 * 1024 * 1024;

/** "256K" → 262144; must be a power of two of at least 16 KiB (what every client accepts). */
export function parsePieceLengthFlag(s: string): number {
  const n = parseSize(s);
  if (n === undefined || n < MIN_PIECE_LENGTH || n > MAX_CLI_PIECE_LENGTH || (n & (n - 1)) !== 0) {
    throw new ConfigError(`--piece-length ${JSON.stringify(s)}: expected a power of two from 16K to 256M (e.g. 256K, 1M)`);
  }
  return n;
}

/** -t values → tiers: each flag one tier, commas separate URLs inside it. */
export function trackerTiers(flags: readonly string[]): string[][] {
  return flags.map((f) => f.split(',').map((u) => u.trim()).filter((u) => u !== '')).filter((t) => t.length > 0);
}

export async function runCreate(source: string, opts: CreateCommandOptions, io: CommandIO = stdio()): Promise<{ output: string; infoHash: string }> {
  const pieceLength = opts.pieceLength === undefined ? undefined : parsePieceLengthFlag(opts.pieceLength);
  const name = opts.name ?? basename(resolve(source));
  const output = opts.output ?? `${name}.torrent`;
  let bar: SingleBar | undefined;
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const { torrent, metainfo } = await createTorrent(source, {
      trackers: trackerTiers(opts.tracker ?? []),
      pieceLength,
      private: opts.private ?? false,
      comment: opts.comment,
      name,
      webSeeds: opts.webSeed,
      creationDate: opts.date === false ? null : undefined,
      signal: ac.signal,
      onProgress: io.progress
        ? (done, total) => {
            if (!bar) {
              // stdio() only hands us a TTY; noTTYOutput lets callers (tests) pass plain streams.
              bar = new SingleBar({ stream: io.progress, noTTYOutput: true, format: 'hashing [{bar}] {percentage}% {value}/{total} MiB | {eta}s' });
              bar.start(Math.ceil(total / 2 ** 20), 0);
            }
            bar.update(Math.floor(done / 2 ** 20));
          }
        : undefined,
    });
    bar?.update(bar.getTotal());
    bar?.stop();
    bar = undefined;
    await writeFile(output, torrent, { flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') throw new ConfigError(`${output} already exists (choose another with -o)`);
      throw e;
    });
    io.out(opts.json ? JSON.stringify({ output, ...torrentSummary(metainfo) }, null, 2) + '\n' : `wrote ${output}\n${describeTorrent(metainfo)}`);
    return { output, infoHash: metainfo.infoHashHex };
  } finally {
    bar?.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

export function registerCreate(program: Command, io?: CommandIO): Command {
  return program
    .command('create')
    .description('create a .torrent from a file or directory')
    .argument('<file|dir>', 'what to share')
    .option('-t, --tracker <urls>', 'tracker announce URL; repeat for more tiers, comma-separate URLs of one tier', collect)
    .option('--piece-length <size>', 'piece length, a power of two (e.g. 256K, 1M); default chosen from the size')
    .option('--private', 'set the private flag (BEP 27: trackers only, no DHT/PEX)')
    .option('--comment <text>', 'comment stored in the torrent')
    .option('--name <name>', 'torrent name (default: the basename of the path)')
    .option('-w, --web-seed <url>', 'web seed URL (BEP 19), repeatable', collect)
    .option('--no-date', 'leave out the creation date (reproducible output)')
    .option('-o, --output <file>', 'output path (default: <name>.torrent); never overwritten')
    .option('--json', 'machine-readable output')
    .action(async (source: string, opts: CreateCommandOptions) => {
      await runCreate(source, opts, io ?? stdio());
    });
}
