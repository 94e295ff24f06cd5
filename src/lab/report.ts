/**
 * Everything a finished lab session leaves behind, in one folder: results (JSON + CSVs), the
 * figures as SVG (and PNG when a converter exists), and the lines a person reads in the
 * terminal — measured, bound and ratio per point. Shared by `lab run`, `lab sweep` and `demo`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { svgToPng } from './png.ts';
import { completionCdfFigure, distributionFigure, utilisationFigure, type CurveModel } from './plot-svg.ts';
import { saveResults, type SavedFiles } from './results-files.ts';
import { sweepPoints, type RunResult, type SweepPoint } from './results.ts';
import { meanRate, minRate, type Scenario } from './scenario.ts';

export interface Figure {
  readonly svg: string;
  /** null when no SVG → PNG converter is installed. */
  readonly png: string | null;
}

export interface Report {
  readonly dir: string;
  readonly files: SavedFiles;
  readonly figures: Record<string, Figure>;
  readonly points: readonly SweepPoint[];
  /** Whether PNGs were asked for (so a missing one is worth a hint). */
  readonly png: boolean;
}

/** A folder name that sorts by time: lab-results/2025-01-31T12-00-00. */
export function timestampDir(root = 'lab-results', d = new Date()): string {
  return join(root, d.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-'));
}

export function curveModel(s: Scenario): CurveModel {
  return { fileBytes: s.fileBytes, serverUp: s.serverUp, peerUp: meanRate(s.peerUp) * (1 - s.freeRiders), peerDown: minRate(s.peerDown) };
}

async function figure(dir: string, name: string, svg: string, png: boolean): Promise<Figure> {
  const svgPath = join(dir, `${name}.svg`);
  await writeFile(svgPath, svg);
  const pngPath = join(dir, `${name}.png`);
  return { svg: svgPath, png: png && (await svgToPng(svgPath, pngPath)) !== null ? pngPath : null };
}

export interface ReportOptions {
  readonly base: string;
  /** The scenario the bound curves are drawn for. */
  readonly scenario: Scenario;
  readonly extra?: Record<string, unknown>;
  /** Draw distribution time vs N (sweeps, or any run set with several N). */
  readonly distribution?: boolean;
  readonly png?: boolean;
}

export async function writeReport(dir: string, runs: readonly RunResult[], o: ReportOptions): Promise<Report> {
  const files = await saveResults(dir, o.base, runs, { scenario: o.scenario, ...o.extra });
  const points = sweepPoints(runs);
  const png = o.png ?? true;
  const figures: Record<string, Figure> = {};
  if (runs.length > 0) {
    if (o.distribution) {
      const model = curveModel(o.scenario);
      figures.distribution = await figure(dir, 'distribution-time-vs-n', distributionFigure(points, model, { title: `Distribution time vs N (F = ${fmtBytes(model.fileBytes)}, uₛ = ${fmtBytes(model.serverUp)}/s, u = ${fmtBytes(model.peerUp)}/s)` }), png);
      figures.distributionLog2 = await figure(dir, 'distribution-time-vs-n-log2', distributionFigure(points, model, { xScale: 'log2' }), png);
    }
    figures.cdf = await figure(dir, 'completion-cdf', completionCdfFigure(runs.slice(0, 8)), png);
    figures.utilisation = await figure(dir, 'upload-utilisation', utilisationFigure(runs.slice(0, 8)), png);
  }
  return { dir, files, figures, points, png };
}

function fmtBytes(b: number): string {
  if (b >= 1024 * 1024) return `${+(b / 1024 / 1024).toFixed(2)} MiB`;
  if (b >= 1024) return `${+(b / 1024).toFixed(1)} KiB`;
  return `${Math.round(b)} B`;
}

/** One line per point: measured mean, bound, ratio (and CV over repeats). */
export function pointLines(points: readonly SweepPoint[]): string[] {
  const w = Math.max(4, ...points.map((p) => String(p.n).length));
  return points.map((p) => {
    const cv = p.measured.length > 1 ? `  cv ${(100 * p.cv).toFixed(1)}%` : '';
    const k = p.slowdown.toFixed(2).replace(/\.?0+$/, '');
    const slow = p.slowdown > 1 ? `  (run at rates ÷ ${k}, times shown ÷ ${k})` : '';
    return `${p.mode.padEnd(13)} N=${String(p.n).padEnd(w)} measured ${p.meanSeconds.toFixed(2).padStart(7)} s  bound ${p.boundSeconds.toFixed(2).padStart(7)} s  ratio ${p.ratio.toFixed(3)}${cv}${slow}`;
  });
}

export function figureLines(r: Report): string[] {
  const out = [`results: ${r.files.json}, ${r.files.runsCsv}, ${r.files.peersCsv}`];
  for (const [name, f] of Object.entries(r.figures)) out.push(`figure ${name}: ${f.svg}${f.png ? ` (+ ${f.png})` : r.png ? ' (no PNG: install rsvg-convert for PNGs)' : ''}`);
  return out;
}
