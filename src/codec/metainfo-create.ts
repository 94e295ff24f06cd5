/**
 * Creating .torrent files (BEP 3, v1). Matches mktorrent's defaults so torrents look familiar:
 * hidden files are included, files are sorted by their full relative path compared bytewise
 * ('/' included, as strcmp does), symlinks to files are followed, symlinked directories are
 * skipped (they could loop). announce-list is written only when there is more than one tracker.
 *
 * Hashing speed: large sequential reads, double-buffered so the next read runs in the thread
 * pool while this chunk is hashed; pieces may span files.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { MetainfoError, StorageError, throwIfAborted } from '../errors.ts';
import { bencode, type BEncodable } from './bencode.ts';
import { parseTorrent, type Metainfo } from './metainfo-parse.ts';
import { choosePieceLength } from './piece-length.ts';

export interface CreateOptions {
  /** Tiers (BEP 12), or a flat list meaning one tracker per tier (as mktorrent's repeated -a). */
  trackers?: string[][] | string[];
  /** Bytes; a power of two is customary. Default: choosePieceLength(total). */
  pieceLength?: number;
  private?: boolean;
  comment?: string;
  createdBy?: string;
  /** Seconds since the epoch; default now; null leaves it out (reproducible torrents). */
  creationDate?: number | null;
  /** Torrent name; default the basename of the path. */
  name?: string;
  /** BEP 19 url-list. */
  webSeeds?: string[];
  onProgress?: (hashed: number, total: number) => void;
  signal?: AbortSignal;
  /** Read size in bytes (default 8 MiB). */
  chunkSize?: number;
}

interface SourceFile {
  abs: string;
  rel: string[];
  length: number;
}

const DEFAULT_CHUNK = 8 * 1024 * 1024;

export async function createTorrent(path: string, options: CreateOptions = {}): Promise<{ torrent: Uint8Array; metainfo: Metainfo }> {
  const root = resolve(path);
  const st = await stat(root);
  const multiFile = st.isDirectory();
  if (!multiFile && !st.isFile()) throw new MetainfoError(`${path} is neither a file nor a directory`);
  const files = multiFile ? await listFiles(root) : [{ abs: root, rel: [], length: st.size }];
  const total = files.reduce((n, f) => n + f.length, 0);
  if (total === 0) throw new MetainfoError(`${path} contains no data to share`);

  const pieceLength = options.pieceLength ?? choosePieceLength(total);
  if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new MetainfoError(`invalid piece length ${pieceLength}`);
  const pieces = await hashPieces(files, pieceLength, total, options);

  const name = options.name ?? basename(root);
  const info: Record<string, BEncodable | undefined> = {
    name,
    'piece length': pieceLength,
    pieces,
    private: options.private ? 1 : undefined,
  };
  if (multiFile) info.files = files.map((f) => ({ length: f.length, path: f.rel }));
  else info.length = total;

  const tiers = normalizeTiers(options.trackers);
  const flat = tiers.flat();
  const torrent = bencode({
    announce: flat[0],
    'announce-list': flat.length > 1 ? tiers : undefined,
    comment: options.comment,
    'created by': options.createdBy ?? 'ringswarm',
    'creation date': options.creationDate === undefined ? Math.floor(Date.now() / 1000) : (options.creationDate ?? undefined),
    info,
    'url-list': options.webSeeds && options.webSeeds.length > 0 ? options.webSeeds : undefined,
  });
  // Parsing our own output validates names and paths with the same rules as downloads.
  return { torrent, metainfo: parseTorrent(torrent) };
}

function normalizeTiers(trackers: string[][] | string[] | undefined): string[][] {
  if (!trackers) return [];
  const tiers = trackers.map((t) => (typeof t === 'string' ? [t] : t));
  return tiers.map((t) => t.filter((u) => u !== '')).filter((t) => t.length > 0);
}

/** All regular files under root, sorted by their '/'-joined relative path bytewise (like mktorrent). */
async function listFiles(root: string): Promise<SourceFile[]> {
  const out: (SourceFile & { key: Buffer })[] = [];
  const walk = async (dir: string, rel: string[]): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const parts = [...rel, entry.name];
      let isFile = entry.isFile();
      if (entry.isDirectory()) {
        await walk(abs, parts);
        continue;
      }
      if (entry.isSymbolicLink()) isFile = (await stat(abs).catch(() => undefined))?.isFile() ?? false;
      if (!isFile) continue;
      const { size } = await stat(abs);
      out.push({ abs, rel: parts, length: size, key: Buffer.from(parts.join('/')) });
    }
  };
  await walk(root, []);
  out.sort((a, b) => Buffer.compare(a.key, b.key));
  return out.map(({ abs, rel, length }) => ({ abs, rel, length }));
}

/** SHA-1 of every piece over the concatenation of files. */
async function hashPieces(files: readonly SourceFile[], pieceLength: number, total: number, options: CreateOptions): Promise<Uint8Array> {
  const pieceCount = Math.ceil(total / pieceLength);
  const out = new Uint8Array(pieceCount * 20);
  let piece = 0;
  let inPiece = 0;
  let hash: Hash = createHash('sha1');
  let hashed = 0;
  const finishPiece = (): void => {
    out.set(hash.digest(), piece * 20);
    piece++;
    inPiece = 0;
    hash = createHash('sha1');
  };
  for await (const chunk of readChunks(files, options.chunkSize ?? DEFAULT_CHUNK, options.signal)) {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(pieceLength - inPiece, chunk.length - at);
      hash.update(chunk.subarray(at, at + take));
      at += take;
      inPiece += take;
      if (inPiece === pieceLength) finishPiece();
    }
    hashed += chunk.length;
    options.onProgress?.(hashed, total);
  }
  if (inPiece > 0) finishPiece();
  if (piece !== pieceCount || hashed !== total) throw new StorageError('files changed size while hashing');
  return out;
}

/**
 * Sequential chunks of all files, each exactly as long as stat reported. Two buffers: while the
 * consumer hashes one, the read into the other is already in flight.
 */
async function* readChunks(files: readonly SourceFile[], chunkSize: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const buffers = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  let which = 0;
  for (const f of files) {
    if (f.length === 0) continue;
    const fh = await open(f.abs, 'r');
    const readAt = (buf: Buffer, p: number): Promise<number> =>
      fh.read(buf, 0, Math.min(chunkSize, f.length - p), p).then((r) => r.bytesRead);
    let pending: Promise<number> | undefined = readAt(buffers[which]!, 0);
    try {
      let pos = 0;
      while (pending) {
        throwIfAborted(signal);
        const n = await pending;
        if (n === 0) throw new StorageError(`${f.abs} shrank while hashing`);
        const current = buffers[which]!;
        pos += n;
        which ^= 1;
        pending = pos < f.length ? readAt(buffers[which]!, pos) : undefined;
        yield current.subarray(0, n);
      }
    } finally {
      // Abandoned mid-file (abort, consumer error): let the in-flight read settle before closing.
      await pending?.catch(() => 0);
      await fh.close();
    }
  }
}
