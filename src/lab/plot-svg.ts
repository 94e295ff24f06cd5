/**
 * The lab's figures: the textbook's distribution-time-vs-N figure with measured points beside
 * the bound curves, completion CDFs, and upload utilisation over time. Pure (SVG text out).
 */
import { clientServerBound, p2pBound, type BoundInput } from './bounds.ts';
import type { RunResult, SweepPoint } from './results.ts';
import { completionTimes } from './results.ts';
import { renderChart, PALETTE, type Series } from './svg-chart.ts';

const CS_COLOR = PALETTE[1];
const P2P_COLOR = PALETTE[0];

/** Peers' rates for the bound curve at N (homogeneous peers, as in the textbook figure). */
export interface CurveModel {
  readonly fileBytes: number;
  readonly serverUp: number;
  readonly peerUp: number;
  readonly peerDown: number;
}

function boundInput(m: CurveModel, n: number): BoundInput {
  return { fileBytes: m.fileBytes, serverUp: m.serverUp, peerUp: new Array<number>(n).fill(m.peerUp), peerDown: new Array<number>(n).fill(m.peerDown) };
}

/**
 * Distribution time vs N: the two bound curves (dashed) over 1..maxN, and measured means as
 * points. Linear N axis by default, as the textbook draws it; log₂ suits 1,2,4,…,128 sweeps.
 */
export function distributionFigure(points: readonly SweepPoint[], model: CurveModel, options: { maxN?: number; xScale?: 'linear' | 'log2'; title?: string } = {}): string {
  const maxN = options.maxN ?? Math.max(1, ...points.map((p) => p.n));
  const ns: number[] = [];
  for (let n = 1; n <= maxN; n = options.xScale === 'log2' ? n * 1.25 : n + Math.max(1, Math.floor(maxN / 200))) ns.push(Math.round(n * 100) / 100);
  if (ns.at(-1) !== maxN) ns.push(maxN);
  const curve = (f: typeof clientServerBound) => ns.map((n): [number, number] => [n, f(boundInput(model, Math.max(1, Math.round(n)))).seconds]);
  const series: Series[] = [
    { label: 'client-server bound max{NF/uₛ, F/d_min}', kind: 'line', dashed: true, color: CS_COLOR, points: curve(clientServerBound) },
    { label: 'P2P bound max{F/uₛ, F/d_min, NF/(uₛ+Σuᵢ)}', kind: 'line', dashed: true, color: P2P_COLOR, points: curve(p2pBound) },
  ];
  const cs = points.filter((p) => p.mode === 'client-server');
  const p2p = points.filter((p) => p.mode === 'p2p');
  if (cs.length > 0) series.push({ label: 'client-server measured (HTTP)', kind: 'points', color: CS_COLOR, points: cs.map((p) => [p.n, p.meanSeconds]) });
  if (p2p.length > 0) series.push({ label: 'P2P measured (BitTorrent)', kind: 'points', color: P2P_COLOR, points: p2p.map((p) => [p.n, p.meanSeconds]) });
  return renderChart({
    title: options.title ?? 'Distribution time vs number of peers',
    xLabel: 'N (peers)',
    yLabel: 'distribution time (s)',
    xScale: options.xScale ?? 'linear',
    series,
  });
}

/** Fraction of peers done vs time, one staircase per run. */
export function completionCdfFigure(runs: readonly RunResult[], title = 'Completion times (CDF)'): string {
  const series = runs.map((r, i): Series => {
    const times = completionTimes(r);
    const pts: Array<[number, number]> = [[0, 0], ...times.map((t, k): [number, number] => [t, (k + 1) / r.n])];
    return { label: `${r.mode} N=${r.n}${runs.length > 1 && r.repeat > 0 ? ` #${r.repeat + 1}` : ''}`, kind: 'step', points: pts, color: PALETTE[i % PALETTE.length] };
  });
  return renderChart({ title, xLabel: 'time since start (s)', yLabel: 'fraction of peers complete', yMin: 0, yMax: 1, legend: 'bottom-right', series });
}

/** Aggregate upload as a percentage of the upload capacity online, over time. */
export function utilisationFigure(runs: readonly RunResult[], title = 'Upload utilisation over time'): string {
  const series = runs.map((r, i): Series => ({
    label: `${r.mode} N=${r.n}`,
    kind: 'line',
    color: PALETTE[i % PALETTE.length],
    points: r.utilisation.map((u): [number, number] => [u.atMs / 1000, u.capacityBps > 0 ? (100 * u.uploadBps) / u.capacityBps : 0]),
  }));
  return renderChart({ title, xLabel: 'time since start (s)', yLabel: 'upload used (% of capacity)', yMin: 0, yMax: 110, legend: 'bottom-right', series });
}
