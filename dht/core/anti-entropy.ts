/**
 * Anti-entropy between a record's owner and its replicas (pure: time and randomness passed in).
 * Push-on-change (replicator.ts) misses copies whenever a send is lost or a replica dies after
 * the last change; without a periodic check a record whose holders die one after another is
 * lost. So each owner periodically sends each replica a digest — one (key, fingerprint) pair per
 * owned key — and the replica answers with the keys it lacks or holds differently; only those
 * are pushed. The digest is chunked to fit a datagram, so the cost is about 26 bytes per owned
 * key per replica per round when nothing is missing.
 */
import type { Id160 } from '../../src/naming/id160.ts';
import type { Random } from '../../src/random.ts';
import type { RecordEntry } from './records.ts';

export interface DigestEntry {
  key: Id160;
  /** Order-independent 32-bit fingerprint of the key's live values. */
  fp: number;
}

/** Digest entries per sync request: 20-byte id + up to 5-byte fp + msgpack framing ≈ 28 B each. */
export const DIGEST_CHUNK = 40;

/** FNV-1a over one value's bytes. */
function fnv1a(v: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of v) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  // Mix the length in so values that are prefixes of each other differ.
  return Math.imul(h ^ v.length, 0x01000193) >>> 0;
}

/**
 * Fingerprint of a set of values: the sum of per-value hashes mod 2^32, so order does not matter
 * and two equal values (which a RecordTable deduplicates anyway) do not cancel out as with XOR.
 */
export function fingerprint(values: readonly Uint8Array[]): number {
  let s = 0;
  for (const v of values) s = (s + fnv1a(v)) >>> 0;
  return s;
}

/** One digest entry per key among `entries` (already filtered to live, owned records). */
export function digest(entries: readonly RecordEntry[]): DigestEntry[] {
  const byKey = new Map<Id160, Uint8Array[]>();
  for (const e of entries) {
    const vs = byKey.get(e.key);
    if (vs) vs.push(e.value);
    else byKey.set(e.key, [e.value]);
  }
  return [...byKey].map(([key, vs]) => ({ key, fp: fingerprint(vs) }));
}

/** Splits a digest into chunks of at most `size` entries (each one sync request). */
export function chunk<T>(xs: readonly T[], size = DIGEST_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/**
 * The replica's side: the keys of `d` whose values it does not hold exactly (`values(key)` gives
 * its live values). A replica holding extra values answers too: the owner's push only adds, so
 * this costs one redundant push, never a loss.
 */
export function missingKeys(d: readonly DigestEntry[], values: (key: Id160) => readonly Uint8Array[]): Id160[] {
  return d.filter((e) => fingerprint(values(e.key)) !== e.fp).map((e) => e.key);
}

/**
 * When the next round runs: `intervalMs` ± 25% jitter, so the nodes of a ring (started together
 * in a testnet, or after a mass restart) do not sync in lockstep.
 */
export function nextRoundDelay(intervalMs: number, random: Random): number {
  const spread = Math.floor(intervalMs / 2);
  return intervalMs - Math.floor(spread / 2) + random.int(spread + 1);
}
