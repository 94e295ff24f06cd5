/**
 * A small hand-written SVG line/point chart: axes, "nice" ticks, grid, legend, optional log₂ x
 * axis. Enough for the lab's figures without a plotting package. Pure: data in, SVG text out.
 */

export interface Series {
  readonly label: string;
  /** line: joined points; points: markers; step: a CDF-style staircase. */
  readonly kind: 'line' | 'points' | 'step';
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly xScale?: 'linear' | 'log2';
  readonly yMin?: number;
  readonly yMax?: number;
  readonly width?: number;
  readonly height?: number;
  /** Where the legend box goes; pick the corner the data leaves empty. */
  readonly legend?: 'top-left' | 'bottom-right';
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'] as const;

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Ticks at 1, 2 or 5 × 10^k covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 8): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999) ?? 10 * mag) as number;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(1);
  return Number(v.toPrecision(4)).toString();
}

export function renderChart(spec: ChartSpec): string {
  const W = spec.width ?? 800;
  const H = spec.height ?? 500;
  const m = { left: 80, right: 30, top: 50, bottom: 65 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const log = spec.xScale === 'log2';
  const all = spec.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!log || x > 0));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const tx = (x: number) => (log ? Math.log2(x) : x);
  // Linear axes start at 0 (distances from the origin are the point); both get a 3% margin
  // so end points are not cut in half by the frame.
  let x0 = xs.length ? Math.min(...xs.map(tx)) : 0;
  let x1 = xs.length ? Math.max(...xs.map(tx)) : 1;
  if (!log) x0 = Math.min(0, x0);
  if (x1 <= x0) x1 = x0 + 1;
  x1 += (x1 - x0) * 0.03;
  if (log) x0 -= (x1 - x0) * 0.03;
  const y0 = spec.yMin ?? Math.min(0, ...ys);
  let y1 = spec.yMax ?? (ys.length ? Math.max(...ys) * 1.05 : 1);
  if (y1 <= y0) y1 = y0 + 1;
  const xTicks = log ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_, i) => Math.ceil(x0) + i) : niceTicks(x0, x1).filter((t) => t <= x1);
  const yTicks = niceTicks(y0, y1);
  const yTop = Math.max(y1, yTicks.at(-1) ?? y1);
  const px = (x: number) => m.left + ((tx(x) - x0) / (x1 - x0)) * pw;
  const pxT = (t: number) => m.left + ((t - x0) / (x1 - x0)) * pw;
  const py = (y: number) => m.top + ph - ((y - y0) / (yTop - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">${escapeXml(spec.title)}</text>`);
  // Grid and ticks.
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = pxT(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 20}" text-anchor="middle">${fmt(log ? 2 ** t : t)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 18}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(22 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`);
  // Data, clipped to the plot area.
  out.push(`<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs><g clip-path="url(#plot)">`);
  spec.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!log || x > 0));
    if (s.kind === 'points') {
      for (const [x, y] of pts) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4.5" fill="${color}" stroke="white" stroke-width="1"/>`);
      return;
    }
    const coords: string[] = [];
    pts.forEach(([x, y], k) => {
      if (s.kind === 'step' && k > 0) coords.push(`${px(x).toFixed(1)},${py((pts[k - 1] as readonly [number, number])[1]).toFixed(1)}`);
      coords.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    });
    if (coords.length > 0) out.push(`<polyline points="${coords.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
  });
  out.push('</g>');
  // Legend inside the plot, in the requested corner.
  const lw = Math.max(...spec.series.map((s) => s.label.length), 4) * 7.2 + 44;
  const lh = spec.series.length * 20 + 6;
  const bottomRight = spec.legend === 'bottom-right';
  const lx = bottomRight ? m.left + pw - lw - 6 : m.left + 12;
  let ly = bottomRight ? m.top + ph - lh - 6 + 12 : m.top + 14;
  if (spec.series.length > 0) out.push(`<rect x="${lx - 6}" y="${ly - 12}" width="${lw}" height="${lh}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
  spec.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    if (s.kind === 'points') out.push(`<circle cx="${lx + 12}" cy="${ly}" r="4.5" fill="${color}"/>`);
    else out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 32}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
    ly += 20;
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
