/**
 * Results on disk: one JSON file with everything (re-plottable later) and two CSVs a
 * spreadsheet opens directly — one row per run, one row per peer per run.
 */
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from './results.ts';

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

export function runsCsv(runs: readonly RunResult[]): string {
  return toCsv(
    ['scenario', 'mode', 'n', 'repeat', 'seed', 'file_bytes', 'measured_s', 'bound_s', 'bound_term', 'ratio', 'completed', 'interrupted', 'slowdown'],
    runs.map((r) => [r.scenario, r.mode, r.n, r.repeat, r.seed, r.fileBytes, r.distributionSeconds, r.bound.seconds, r.bound.term, r.ratio, r.peers.filter((p) => p.completedAtMs !== null).length, r.interrupted, r.slowdown ?? 1]),
  );
}

export function peersCsv(runs: readonly RunResult[]): string {
  return toCsv(
    ['scenario', 'mode', 'n', 'repeat', 'peer', 'join_ms', 'completed_ms', 'bytes_up', 'bytes_down', 'free_rider'],
    runs.flatMap((r) => r.peers.map((p) => [r.scenario, r.mode, r.n, r.repeat, p.index, p.joinAtMs, p.completedAtMs, p.bytesUp, p.bytesDown, p.freeRider])),
  );
}

/** JSON cannot hold Infinity (unlimited rates); write it as a string. */
function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

export interface SavedFiles {
  readonly json: string;
  readonly runsCsv: string;
  readonly peersCsv: string;
}

/**
 * Writes `<base>.json`, `<base>-runs.csv`, `<base>-peers.csv` under dir. Each file is written
 * to a temporary name and renamed, so a Ctrl-C mid-save never leaves half a file.
 */
export async function saveResults(dir: string, base: string, runs: readonly RunResult[], extra: Record<string, unknown> = {}): Promise<SavedFiles> {
  await mkdir(dir, { recursive: true });
  const files: SavedFiles = { json: join(dir, `${base}.json`), runsCsv: join(dir, `${base}-runs.csv`), peersCsv: join(dir, `${base}-peers.csv`) };
  const put = async (path: string, text: string) => {
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  };
  await put(files.json, JSON.stringify({ ...extra, runs }, replacer, 1));
  await put(files.runsCsv, runsCsv(runs));
  await put(files.peersCsv, peersCsv(runs));
  return files;
}
