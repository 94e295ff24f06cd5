/**
 * Download/seed progress for `seed` and `get`: a cli-progress bar on stderr when stderr is a
 * terminal (percentage, rates, peers, ETA), and with --json one JSON object per line on stdout
 * for scripts (`{"event":"progress",…}`, `"done"`, `"error"`…). Without a TTY and without
 * --json it stays quiet apart from the lines the command prints itself, so logs stay readable.
 */
import { SingleBar } from 'cli-progress';

/** The subset of the peer client's TorrentStats shown here (kept structural: src/ must not import peer/). */
export interface ProgressStats {
  infoHashHex: string;
  name: string;
  length: number;
  pieceCount: number;
  have: number;
  progress: number;
  downloaded: number;
  uploaded: number;
  downloadRate: number;
  uploadRate: number;
  peers: number;
  seeds: number;
  state: string;
  eta: number | null;
  wasted: number;
  refetched?: number;
}

export interface ProgressStreams {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown; isTTY?: boolean };
}

export interface ProgressReporter {
  /** One sample: redraws the bar or writes a progress JSON line. */
  update(stats: ProgressStats): void;
  /** A structured event: a JSON line with --json, else `text` (if any) on stdout. */
  event(event: string, fields: Record<string, unknown>, text?: string): void;
  /** Removes the bar (call before printing a final line and before exiting). */
  stop(): void;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  let i = 0;
  let v = Math.max(0, n);
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[i]}`;
}

export const formatRate = (bps: number): string => `${formatBytes(bps)}/s`;

/** Seconds → "1h02m", "3m05s", "42s"; null/Infinity → "--". */
export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s) || s < 0) return '--';
  const t = Math.round(s);
  if (t >= 3600) return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${t}s`;
}

export function progressReporter(o: { json: boolean; streams?: ProgressStreams; now?: () => number }): ProgressReporter {
  const streams: ProgressStreams = o.streams ?? { out: process.stdout, err: process.stderr };
  const now = o.now ?? Date.now;
  const line = (event: string, fields: Record<string, unknown>): void => {
    streams.out.write(JSON.stringify({ event, t: now(), ...fields }) + '\n');
  };
  let bar: SingleBar | undefined;
  const useBar = !o.json && streams.err.isTTY === true;
  return {
    update(s) {
      if (o.json) {
        line('progress', { ...s });
        return;
      }
      if (!useBar) return;
      const payload = {
        name: s.name.length > 24 ? `${s.name.slice(0, 23)}…` : s.name,
        down: formatRate(s.downloadRate),
        up: formatRate(s.uploadRate),
        peers: s.peers,
        etaText: s.state === 'seeding' ? 'seeding' : formatEta(s.eta),
        state: s.state,
      };
      const pct = Math.floor(s.progress * 1000); // tenths of a percent: smooth on big torrents
      if (!bar) {
        bar = new SingleBar({
          stream: streams.err as NodeJS.WritableStream,
          hideCursor: true,
          clearOnComplete: false,
          format: '{name} [{bar}] {percentage}% | ↓ {down} ↑ {up} | {peers} peers | {etaText}',
        });
        bar.start(1000, pct, payload);
      } else {
        bar.update(pct, payload);
      }
    },
    event(event, fields, text) {
      if (o.json) line(event, fields);
      else if (text !== undefined) {
        // Keep the bar on its own line: stop it, print, and let the next update redraw it.
        bar?.stop();
        bar = undefined;
        streams.out.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
