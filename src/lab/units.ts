/**
 * Sizes, rates and durations as people write them ("4MiB", "2M", "512K/s", "1.5s"), pure.
 * Single-letter suffixes are binary (K = 1024), like aria2's and wget's rate flags, since
 * that is what a user typing `--rate 2M` expects; "kB"/"MB"/"GB" are decimal (1000).
 */
import { ConfigError } from '../errors.ts';

const MULT: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
};

function parseScaled(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const mult = m ? MULT[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new ConfigError(`cannot read ${what} "${text}" (try 4MiB, 512K, 2M, 1000000)`);
  return Number(m[1]) * mult;
}

/** Bytes from a number or a string like "4MiB". */
export function parseSize(v: unknown, what = 'size'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Math.round(parseScaled(v, what));
  throw new ConfigError(`${what} must be a number of bytes or a string like "4MiB", got ${JSON.stringify(v)}`);
}

/** Bytes/s from a number or a string like "2M", "512K/s"; "unlimited"/"inf" → Infinity. */
export function parseRate(v: unknown, what = 'rate'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'unlimited' || t === 'inf' || t === 'infinity') return Infinity;
    return parseScaled(t.replace(/\/s$|ps$/, ''), what);
  }
  throw new ConfigError(`${what} must be bytes/s or a string like "2M" or "512K/s", got ${JSON.stringify(v)}`);
}

/** Milliseconds from a number (ms) or "250ms", "1.5s", "2m". */
export function parseDuration(v: unknown, what = 'duration'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/.exec(v);
    if (m) {
      const unit = m[2] ?? 'ms';
      const k = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'h' ? 3_600_000 : 60_000;
      return Number(m[1]) * k;
    }
  }
  throw new ConfigError(`${what} must be milliseconds or a string like "1.5s", got ${JSON.stringify(v)}`);
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = n;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${Number.isInteger(x) ? x : x.toFixed(x < 10 ? 2 : 1)} ${units[i]}`;
}

export function formatRate(bps: number): string {
  return Number.isFinite(bps) ? `${formatBytes(bps)}/s` : 'unlimited';
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${(s / 3600).toFixed(1)} h`;
}
