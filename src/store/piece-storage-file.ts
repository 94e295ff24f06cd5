/**
 * Piece storage on disk. Every path goes through resolveInside (no '..', no absolute paths),
 * files are opened with O_NOFOLLOW and their folders are checked with realpath, so a hostile
 * torrent or a planted symlink cannot make us write outside the download folder. Files are
 * pre-allocated sparse (ftruncate), padding files (BEP 47) never touch disk, and open handles
 * are cached up to a limit (a torrent can have thousands of files; fds are finite).
 */
import { constants, type Stats } from 'node:fs';
import { mkdir, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, relative, isAbsolute, sep } from 'node:path';
import type { Layout, FileSlice } from '../../peer/core/layout.ts';
import { ClosedError, StorageError, UnsafePathError, throwIfAborted } from '../errors.ts';
import type { FileStat, PieceStorage } from './piece-storage.ts';
import { resolveInside } from './safe-path.ts';

export interface FileStorageOptions {
  /** Most file handles kept open at once. */
  readonly maxOpenFiles?: number;
  /** Size files to their final length at open (sparse), so later writes cannot hit ENOSPC mid-file on most filesystems. */
  readonly preallocate?: boolean;
}

interface Handle {
  readonly fh: FileHandle;
  users: number;
}

export class FileStorage implements PieceStorage {
  readonly layout: Layout;
  readonly root: string;
  private readonly maxOpen: number;
  private readonly preallocate: boolean;
  /** Absolute path per file; undefined for padding files. */
  private readonly paths: (string | undefined)[];
  /** LRU of open handles (Map keeps insertion order; a use moves the entry to the end). */
  private readonly handles = new Map<number, Handle>();
  private readonly opening = new Map<number, Promise<Handle>>();
  /** Bumped by close(), so opens that finish afterwards are discarded. */
  private generation = 0;
  private opened = false;

  constructor(deps: { root: string; layout: Layout }, options: FileStorageOptions = {}) {
    this.layout = deps.layout;
    this.root = deps.root;
    this.maxOpen = Math.max(1, options.maxOpenFiles ?? 64);
    this.preallocate = options.preallocate ?? true;
    // Validates every path up front: an unsafe torrent fails before any byte is written.
    this.paths = deps.layout.files.map((f) => (f.pad ? undefined : resolveInside(deps.root, f.path)));
  }

  /** Absolute path of file i (undefined for a padding file). */
  pathOf(i: number): string | undefined {
    return this.paths[i];
  }

  async open(signal?: AbortSignal): Promise<void> {
    if (this.opened) return;
    await mkdir(this.root, { recursive: true }).catch((e: unknown) => {
      throw storageError(e, 'create', this.root);
    });
    const realRoot = await realpath(this.root);
    for (let i = 0; i < this.paths.length; i++) {
      throwIfAborted(signal);
      const path = this.paths[i];
      if (path === undefined) continue;
      const dir = dirname(path);
      try {
        await mkdir(dir, { recursive: true });
      } catch (e) {
        throw storageError(e, 'create', dir);
      }
      // A symlinked folder inside the root would pass the lexical check; realpath catches it.
      const realDir = await realpath(dir);
      const rel = relative(realRoot, realDir);
      if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
        throw new UnsafePathError(`${dir} resolves outside ${realRoot}`);
      }
      const h = await this.acquire(i);
      try {
        const want = (this.layout.files[i] as { length: number }).length;
        if (this.preallocate) {
          const st = await h.fh.stat();
          if (st.size < want) await h.fh.truncate(want);
        }
      } catch (e) {
        throw storageError(e, 'allocate', path);
      } finally {
        this.release(h);
      }
    }
    this.opened = true;
  }

  async read(piece: number, begin: number, length: number): Promise<Uint8Array> {
    if (!this.opened) throw new ClosedError('storage is not open');
    const out = new Uint8Array(length);
    await Promise.all(this.layout.slices(piece, begin, length).map((s) => this.readSlice(s, out, begin)));
    return out;
  }

  async write(piece: number, begin: number, data: Uint8Array): Promise<void> {
    if (!this.opened) throw new ClosedError('storage is not open');
    await Promise.all(this.layout.slices(piece, begin, data.length).map((s) => this.writeSlice(s, data, begin)));
  }

  readPiece(piece: number): Promise<Uint8Array> {
    return this.read(piece, 0, this.layout.pieceSize(piece));
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    this.generation++;
    this.opened = false;
    await Promise.all(all.map((h) => h.fh.close().catch(() => undefined)));
  }

  /** Size and mtime of file i on disk, or undefined if it is missing (or a padding file). */
  async statFile(i: number): Promise<FileStat | undefined> {
    const path = this.paths[i];
    if (path === undefined) return undefined;
    let st: Stats;
    try {
      st = await stat(path);
    } catch {
      return undefined;
    }
    return { size: st.size, mtimeMs: st.mtimeMs };
  }

  private async readSlice(s: FileSlice, out: Uint8Array, begin: number): Promise<void> {
    if (this.paths[s.fileIndex] === undefined) return; // padding reads as zeros
    const h = await this.acquire(s.fileIndex);
    try {
      let done = 0;
      while (done < s.length) {
        const { bytesRead } = await h.fh.read(out, s.pieceOffset - begin + done, s.length - done, s.fileOffset + done);
        if (bytesRead === 0) break; // beyond end of a short file: the rest stays zero, like a sparse file
        done += bytesRead;
      }
    } catch (e) {
      throw storageError(e, 'read', this.paths[s.fileIndex] as string);
    } finally {
      this.release(h);
    }
  }

  private async writeSlice(s: FileSlice, data: Uint8Array, begin: number): Promise<void> {
    if (this.paths[s.fileIndex] === undefined) return; // padding is never written
    const h = await this.acquire(s.fileIndex);
    try {
      let done = 0;
      while (done < s.length) {
        const { bytesWritten } = await h.fh.write(data, s.pieceOffset - begin + done, s.length - done, s.fileOffset + done);
        done += bytesWritten;
      }
    } catch (e) {
      throw storageError(e, 'write', this.paths[s.fileIndex] as string);
    } finally {
      this.release(h);
    }
  }

  private async acquire(i: number): Promise<Handle> {
    for (;;) {
      const cached = this.handles.get(i);
      if (cached) {
        this.handles.delete(i); // move to the most-recently-used end
        this.handles.set(i, cached);
        cached.users++;
        this.evict();
        return cached;
      }
      let p = this.opening.get(i);
      if (!p) {
        const path = this.paths[i] as string;
        const generation = this.generation;
        p = open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644).then(
          (fh) => {
            this.opening.delete(i);
            if (generation !== this.generation) {
              void fh.close().catch(() => undefined);
              throw new ClosedError('storage closed');
            }
            const h: Handle = { fh, users: 0 };
            this.handles.set(i, h);
            return h;
          },
          (e: unknown) => {
            this.opening.delete(i);
            throw storageError(e, 'open', path);
          },
        );
        this.opening.set(i, p);
      }
      const h = await p;
      // Between the open and this continuation the handle may have been evicted: try again.
      if (this.handles.get(i) === h) {
        h.users++;
        this.evict();
        return h;
      }
    }
  }

  private release(h: Handle): void {
    h.users--;
    this.evict();
  }

  /** Closes least-recently-used idle handles beyond the limit (busy ones are skipped). */
  private evict(): void {
    if (this.handles.size <= this.maxOpen) return;
    for (const [i, h] of this.handles) {
      if (this.handles.size <= this.maxOpen) break;
      if (h.users > 0) continue;
      this.handles.delete(i);
      void h.fh.close().catch(() => undefined);
    }
  }

  /** How many handles are open now (for tests of the cache limit). */
  get openHandles(): number {
    return this.handles.size;
  }
}

/** Maps an fs error (ENOSPC, EIO, EACCES, ELOOP…) to a StorageError that says what and where. */
function storageError(e: unknown, op: string, path: string): StorageError | UnsafePathError | ClosedError {
  if (e instanceof StorageError || e instanceof UnsafePathError || e instanceof ClosedError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ELOOP') return new UnsafePathError(`${path} is a symbolic link`);
  const why = code === 'ENOSPC' ? 'disk full' : code === 'EIO' ? 'I/O error' : typeof code === 'string' ? code : String(e);
  return new StorageError(`cannot ${op} ${path}: ${why}`, { cause: e });
}
