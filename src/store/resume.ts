/**
 * Resume data: which pieces are verified, kept in level under the infohash, so a restarted (or
 * crashed) client neither re-downloads nor re-hashes what it already has.
 *
 * Each record also holds every file's size and mtime. At load, a file whose size or mtime
 * differs from the record was touched behind our back (or written after the last flush, before
 * a crash): only the recorded pieces overlapping that file are re-hashed. With no record but
 * files present on disk (seeding existing data) everything is hashed once — so pass a storage
 * that is not yet open: load() looks at the files first, then opens it (pre-allocation would
 * otherwise make a fresh download look like existing data). Writes are batched:
 * after `flushEvery` verified pieces or `flushIntervalMs`, whichever comes first.
 */
import { Bitfield } from '../../peer/core/bitfield.ts';
import type { Layout } from '../../peer/core/layout.ts';
import type { FileStat, PieceStorage } from './piece-storage.ts';
import { recheck, type PieceHashes } from './verify.ts';

/** A level database (or sublevel) with string keys and values. */
export interface ResumeDb {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  del(key: string): Promise<void>;
}

interface ResumeRecord {
  readonly v: 1;
  readonly pieceCount: number;
  /** Wire-layout bitfield, base64. */
  readonly have: string;
  readonly files: (FileStat | null)[];
}

export interface TorrentResumeDeps {
  readonly db: ResumeDb;
  readonly infoHashHex: string;
  readonly layout: Layout;
  readonly storage: PieceStorage;
  readonly hashes: PieceHashes;
  /** Size/mtime of file i on disk, undefined if missing (FileStorage.statFile). */
  statFile(i: number): Promise<FileStat | undefined>;
}

export interface ResumeOptions {
  readonly flushEvery?: number;
  readonly flushIntervalMs?: number;
}

export interface LoadResult {
  readonly have: Bitfield;
  /** 'resume': trusted the record (maybe re-hashing touched files); 'recheck': hashed everything; 'fresh': nothing on disk. */
  readonly source: 'resume' | 'recheck' | 'fresh';
  /** Pieces hashed during load. */
  readonly rehashed: number;
}

export class TorrentResume {
  private readonly deps: TorrentResumeDeps;
  private readonly flushEvery: number;
  private readonly flushIntervalMs: number;
  private haveBits: Bitfield;
  private stats: (FileStat | null)[];
  private readonly touched = new Set<number>();
  private dirty = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(deps: TorrentResumeDeps, options: ResumeOptions = {}) {
    this.deps = deps;
    this.flushEvery = Math.max(1, options.flushEvery ?? 16);
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.haveBits = new Bitfield(deps.layout.pieceCount);
    this.stats = deps.layout.files.map(() => null);
  }

  get have(): Bitfield {
    return this.haveBits;
  }

  /** Works out what we have; `recheck` forces hashing everything (the --recheck flag). */
  async load(options: { recheck?: boolean; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<LoadResult> {
    const { layout, storage, hashes } = this.deps;
    const hashAll = async (): Promise<LoadResult> => {
      this.haveBits = await recheck(storage, hashes, { signal: options.signal, onProgress: options.onProgress });
      return { have: this.haveBits.clone(), source: 'recheck', rehashed: layout.pieceCount };
    };
    const current = await this.statAll();
    await storage.open(options.signal);
    const record = options.recheck ? undefined : await this.read();
    let result: LoadResult;
    if (options.recheck) {
      result = await hashAll();
    } else if (!record) {
      const anyData = current.some((s) => s !== null && s.size > 0);
      result = anyData ? await hashAll() : { have: new Bitfield(layout.pieceCount), source: 'fresh', rehashed: 0 };
      if (!anyData) this.haveBits = new Bitfield(layout.pieceCount);
    } else {
      const have = Bitfield.fromBytes(Buffer.from(record.have, 'base64'), layout.pieceCount);
      const suspect = new Set<number>();
      layout.files.forEach((_, i) => {
        const was = record.files[i] ?? null;
        const now = current[i] ?? null;
        if (sameStat(was, now)) return;
        const span = layout.piecesOfFile(i);
        if (span) for (let p = span.first; p <= span.last; p++) if (have.has(p)) suspect.add(p);
      });
      this.haveBits = suspect.size ? await recheck(storage, hashes, { signal: options.signal, pieces: suspect, start: have, onProgress: options.onProgress }) : have;
      result = { have: this.haveBits.clone(), source: 'resume', rehashed: suspect.size };
    }
    this.stats = current;
    await this.write();
    return result;
  }

  /** A piece passed its hash check and is on storage: record it (batched). */
  pieceVerified(piece: number): void {
    if (!this.haveBits.set(piece)) return;
    for (const s of this.deps.layout.slices(piece)) this.touched.add(s.fileIndex);
    if (++this.dirty >= this.flushEvery) {
      void this.flush().catch(() => undefined);
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.flushIntervalMs);
      this.timer.unref?.();
    }
  }

  /** Writes pending changes now (serialized: flushes never overlap). */
  flush(): Promise<void> {
    this.clearTimer();
    const run = async (): Promise<void> => {
      if (this.dirty === 0) return;
      this.dirty = 0;
      const files = [...this.touched];
      this.touched.clear();
      for (const i of files) this.stats[i] = (await this.deps.statFile(i)) ?? null;
      await this.write();
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }

  /** Final flush with fresh stats of every file (a clean shutdown leaves nothing to recheck). */
  async close(): Promise<void> {
    await this.flush();
    this.chain = this.chain.then(async () => {
      this.stats = await this.statAll();
      await this.write();
    });
    await this.chain;
  }

  /** Drops the record (torrent removed). */
  async forget(): Promise<void> {
    this.clearTimer();
    await this.chain;
    await this.deps.db.del(this.deps.infoHashHex);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async statAll(): Promise<(FileStat | null)[]> {
    return Promise.all(this.deps.layout.files.map(async (_, i) => (await this.deps.statFile(i)) ?? null));
  }

  private async read(): Promise<ResumeRecord | undefined> {
    const raw = await this.deps.db.get(this.deps.infoHashHex);
    if (raw === undefined) return undefined;
    try {
      const rec = JSON.parse(raw) as Partial<ResumeRecord>;
      if (rec.v !== 1 || rec.pieceCount !== this.deps.layout.pieceCount || typeof rec.have !== 'string' || !Array.isArray(rec.files)) return undefined;
      Bitfield.fromBytes(Buffer.from(rec.have, 'base64'), rec.pieceCount); // throws on a damaged record
      return rec as ResumeRecord;
    } catch {
      return undefined; // a damaged record is no record: hash what is on disk
    }
  }

  private async write(): Promise<void> {
    const rec: ResumeRecord = {
      v: 1,
      pieceCount: this.deps.layout.pieceCount,
      have: Buffer.from(this.haveBits.toBytes()).toString('base64'),
      files: this.stats,
    };
    await this.deps.db.put(this.deps.infoHashHex, JSON.stringify(rec));
  }
}

function sameStat(a: FileStat | null, b: FileStat | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
