/**
 * Number and text formatting for the TUI: sizes and rates in IEC units, ETAs, progress bars,
 * and fixed-width cells. Pure. Widths count code points: names are truncated, never wrapped,
 * so a table row is always exactly one terminal line.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; three significant figures so columns stay narrow. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${UNITS[u]}`;
}

/** Bytes/s; zero is shown as a dash so idle peers do not look like numbers to read. */
export function formatRate(bps: number): string {
  if (!Number.isFinite(bps) || bps <= 0) return '-';
  return `${formatBytes(bps)}/s`;
}

/** Seconds → "45s", "3m05s", "2h07m", "3d04h"; null or absurd → "∞". */
export function formatEta(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s) || s < 0 || s > 100 * 86400) return '∞';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  if (t < 86400) return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(t / 86400)}d${String(Math.floor((t % 86400) / 3600)).padStart(2, '0')}h`;
}

/** Milliseconds → "1.25 s" below a minute, else as an ETA ("2m05s"). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  return ms < 60_000 ? `${(ms / 1000).toFixed(2)} s` : formatEta(ms / 1000);
}

export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return r > 0 ? '∞' : '-';
  return r.toFixed(2);
}

export function formatPercent(p: number): string {
  const c = clamp01(p);
  return c >= 1 ? '100%' : `${(Math.floor(c * 1000) / 10).toFixed(1)}%`;
}

export function clamp01(p: number): number {
  return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
}

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of exactly `width` cells with eighth-block resolution. */
export function progressBar(p: number, width: number): string {
  if (width <= 0) return '';
  const eighths = Math.floor(clamp01(p) * width * 8);
  const full = Math.floor(eighths / 8);
  const rest = full < width ? PARTIAL[eighths % 8] ?? '' : '';
  const used = full + (rest ? 1 : 0);
  return '█'.repeat(full) + rest + '·'.repeat(width - used);
}

/** Exactly `width` code points: truncated with '…' or padded. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const cps = Array.from(s.replace(/[\u0000-\u001f\u007f]/g, '?'));
  if (cps.length > width) return width === 1 ? '…' : cps.slice(0, width - 1).join('') + '…';
  const pad = ' '.repeat(width - cps.length);
  return align === 'left' ? cps.join('') + pad : pad + cps.join('');
}

/** "abcdef…" of a hex id, enough to tell ring nodes and swarms apart. */
export function shortHex(hex: string, n = 8): string {
  return hex.length <= n ? hex : hex.slice(0, n);
}
