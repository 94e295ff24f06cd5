/**
 * The records a node holds: key → set of values, each with an expiry. Pure (time is passed
 * in). The same key may hold several values (peers announcing one infohash); putting an equal
 * value again only refreshes its expiry.
 */
import type { Id160 } from '../../src/naming/id160.ts';
import { inInterval } from '../../src/naming/id160.ts';

export interface StoredValue {
  value: Uint8Array;
  expiresAt: number;
}

export interface RecordEntry extends StoredValue {
  key: Id160;
}

/** A stable string for a value, to deduplicate equal values under one key. */
export function valueKey(v: Uint8Array): string {
  let s = '';
  for (const b of v) s += b.toString(16).padStart(2, '0');
  return s;
}

export class RecordTable {
  private readonly byKey = new Map<Id160, Map<string, StoredValue>>();

  constructor(private readonly maxValuesPerKey = 64) {}

  get size(): number {
    let n = 0;
    for (const m of this.byKey.values()) n += m.size;
    return n;
  }

  /** Returns false when the key is full (the oldest-expiring value is not evicted for a newcomer). */
  put(key: Id160, value: Uint8Array, expiresAt: number): boolean {
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, (m = new Map()));
    const vk = valueKey(value);
    const old = m.get(vk);
    if (!old && m.size >= this.maxValuesPerKey) return false;
    m.set(vk, { value, expiresAt: Math.max(expiresAt, old?.expiresAt ?? 0) });
    return true;
  }

  get(key: Id160, now: number): Uint8Array[] {
    const m = this.byKey.get(key);
    if (!m) return [];
    return [...m.values()].filter((v) => v.expiresAt > now).map((v) => v.value);
  }

  /** Drops expired values; returns what was dropped (so persistence can delete them too). */
  expire(now: number): RecordEntry[] {
    const out: RecordEntry[] = [];
    for (const [key, m] of this.byKey) {
      for (const [vk, v] of m) {
        if (v.expiresAt <= now) {
          m.delete(vk);
          out.push({ key, ...v });
        }
      }
      if (m.size === 0) this.byKey.delete(key);
    }
    return out;
  }

  /** Live entries whose key lies in the ring interval (from, to]. */
  inRange(from: Id160, to: Id160, now: number): RecordEntry[] {
    return this.all(now).filter((e) => inInterval(e.key, from, to, '(]'));
  }

  all(now: number): RecordEntry[] {
    const out: RecordEntry[] = [];
    for (const [key, m] of this.byKey) for (const v of m.values()) if (v.expiresAt > now) out.push({ key, ...v });
    return out;
  }
}
