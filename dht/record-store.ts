/**
 * DHT records in memory (RecordTable) with write-through to `level`, so a restarted node still
 * serves what it held. Keys: `<key hex>!<value hex>` → { e: expiresAt ms }; the value is in the
 * key so equal values deduplicate on disk as in memory. Without a directory it is memory-only.
 */
import { Level } from 'level';
import { StorageError } from '../src/errors.ts';
import type { Id160 } from '../src/naming/id160.ts';
import { idFromHex, idToHex } from '../src/naming/id160.ts';
import type { RecordEntry } from './core/records.ts';
import { RecordTable, valueKey } from './core/records.ts';

function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export class RecordStore {
  readonly table = new RecordTable();
  private db: Level<string, { e: number }> | undefined;

  constructor(private readonly dir?: string) {}

  /** Opens the database (if any) and loads every unexpired record. Idempotent. */
  async open(now: number): Promise<void> {
    if (!this.dir || this.db) return;
    const db = new Level<string, { e: number }>(this.dir, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (e) {
      throw new StorageError(`cannot open DHT record db at ${this.dir}`, { cause: e });
    }
    this.db = db;
    const stale: string[] = [];
    for await (const [k, v] of db.iterator()) {
      const [keyHex, valueHex] = k.split('!');
      const value = valueHex === undefined ? null : hexToBytes(valueHex);
      const e = typeof v === 'object' && v !== null ? v.e : NaN;
      if (!keyHex || !value || !/^[0-9a-f]{40}$/.test(keyHex) || !Number.isFinite(e) || e <= now) stale.push(k);
      else this.table.put(idFromHex(keyHex), value, e);
    }
    if (stale.length > 0) await db.batch(stale.map((key) => ({ type: 'del' as const, key })));
  }

  async put(key: Id160, value: Uint8Array, expiresAt: number): Promise<boolean> {
    if (!this.table.put(key, value, expiresAt)) return false;
    await this.db?.put(`${idToHex(key)}!${valueKey(value)}`, { e: expiresAt });
    return true;
  }

  get(key: Id160, now: number): Uint8Array[] {
    return this.table.get(key, now);
  }

  async expire(now: number): Promise<RecordEntry[]> {
    const gone = this.table.expire(now);
    if (gone.length > 0 && this.db) {
      await this.db.batch(gone.map((g) => ({ type: 'del' as const, key: `${idToHex(g.key)}!${valueKey(g.value)}` })));
    }
    return gone;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }
}
