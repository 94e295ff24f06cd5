/**
 * Tracker persistence in level. Write-through with group commit: the server applies an
 * announce's changes (from SwarmTable.drainChanges) and waits for the batch before answering,
 * so every peer that got an answer is on disk (in LevelDB's log, which survives SIGKILL of the
 * process: the OS already holds the write). All changes that arrive in one event-loop turn share
 * one `batch()`, so the cost under load is one write per turn, not per announce. Re-announces
 * that change nothing produce no changes and never wait.
 *
 * Keys: `p!<infohash hex>!<peer id hex>` → StoredPeer, `d!<infohash hex>` → downloaded count.
 */
import { Level } from 'level';
import { StorageError } from '../src/errors.ts';
import type { StoredPeer, SwarmChange, SwarmSnapshot } from './swarm.ts';

type Op = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

export class TrackerStore {
  private db: Level<string, unknown> | undefined;
  private pending: Op[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private inflight: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  async open(): Promise<void> {
    if (this.db) return;
    const db = new Level<string, unknown>(this.dir, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (e) {
      throw new StorageError(`cannot open tracker db at ${this.dir}`, { cause: e });
    }
    this.db = db;
  }

  /** Every persisted swarm, for SwarmTable.restore(). Bad records are skipped, not fatal. */
  async load(): Promise<SwarmSnapshot[]> {
    const db = this.need();
    const swarms = new Map<string, SwarmSnapshot>();
    const get = (ih: string): SwarmSnapshot => {
      let s = swarms.get(ih);
      if (!s) swarms.set(ih, (s = { infoHash: ih, downloaded: 0, peers: [] }));
      return s;
    };
    for await (const [key, value] of db.iterator()) {
      const parts = key.split('!');
      if (parts[0] === 'd' && parts.length === 2 && typeof value === 'number') {
        get(parts[1] as string).downloaded = value;
      } else if (parts[0] === 'p' && parts.length === 3 && isStoredPeer(value)) {
        get(parts[1] as string).peers.push(value);
      }
    }
    return [...swarms.values()];
  }

  /** Queue changes; resolves once they are written (shared batch per event-loop turn). */
  apply(changes: readonly SwarmChange[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    for (const c of changes) {
      if (c.kind === 'put') this.pending.push({ type: 'put', key: `p!${c.infoHash}!${c.peer.peerId}`, value: c.peer });
      else if (c.kind === 'del') this.pending.push({ type: 'del', key: `p!${c.infoHash}!${c.peerId}` });
      else this.pending.push({ type: 'put', key: `d!${c.infoHash}`, value: c.downloaded });
    }
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    return done;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const ops = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    if (ops.length === 0) return;
    // Batches are written in order: a later 'del' must not overtake an earlier 'put'.
    const run = this.inflight.then(() => this.need().batch(ops));
    this.inflight = run.catch(() => undefined);
    try {
      await run;
      for (const w of waiters) w.resolve();
    } catch (e) {
      const err = new StorageError('tracker db write failed', { cause: e });
      for (const w of waiters) w.reject(err);
    }
  }

  async close(): Promise<void> {
    if (!this.db) return;
    if (this.pending.length > 0) await this.flush();
    await this.inflight;
    await this.db.close();
    this.db = undefined;
  }

  private need(): Level<string, unknown> {
    if (!this.db) throw new StorageError('tracker store is not open');
    return this.db;
  }
}

function isStoredPeer(v: unknown): v is StoredPeer {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p.peerId === 'string' && typeof p.host === 'string' && typeof p.port === 'number' && typeof p.seed === 'boolean' && typeof p.counted === 'boolean';
}
