import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderChart, niceTicks, escapeXml } from '../../../src/lab/svg-chart.ts';
import { distributionFigure, completionCdfFigure, utilisationFigure } from '../../../src/lab/plot-svg.ts';
import { svgToPng } from '../../../src/lab/png.ts';
import { RunRecorder, sweepPoints } from '../../../src/lab/results.ts';
import { makePlan } from '../../../src/lab/plan.ts';
import { SWEEP_SCENARIO, SWEEP_NS } from '../../../src/lab/scenario-defaults.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** Cheap well-formedness check: every opened element is closed, in order. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self === '/') continue;
    if (close === '/') {
      if (stack.pop() !== name) return false;
    } else stack.push(name as string);
  }
  return stack.length === 0;
}

function fakeRuns() {
  return (['client-server', 'p2p'] as const).flatMap((mode) =>
    SWEEP_NS.map((n) => {
      const plan = makePlan({ ...SWEEP_SCENARIO, n, mode });
      const rec = new RunRecorder(plan);
      for (let i = 0; i < n; i++) rec.completed(i, plan.bound.seconds * 1000 * (1 + (0.05 * i) / n));
      rec.utilisation(0, 0, 100);
      rec.utilisation(1000, 90, 100);
      return rec.finish();
    }),
  );
}
const model = { fileBytes: SWEEP_SCENARIO.fileBytes, serverUp: SWEEP_SCENARIO.serverUp, peerUp: 256 * 1024, peerDown: SWEEP_SCENARIO.serverUp };

describe('niceTicks', () => {
  it('gives round steps', () => {
    expect(niceTicks(0, 100, 6)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 1, 6)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('property: ticks are increasing, within range, and between 2 and ~2×count', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (a, span) => {
        const t = niceTicks(a, a + span);
        expect(t.length).toBeGreaterThanOrEqual(2);
        expect(t.length).toBeLessThanOrEqual(17);
        for (let i = 1; i < t.length; i++) expect(t[i] as number).toBeGreaterThan(t[i - 1] as number);
        expect(t[0] as number).toBeGreaterThanOrEqual(a - span * 1e-6);
        expect(t.at(-1) as number).toBeLessThanOrEqual(a + span + span * 1e-6);
      }),
    );
  });
});

describe('renderChart', () => {
  it('draws axes, one marker per point, a polyline per line series and escapes labels', () => {
    const svg = renderChart({
      title: 'A <b> & "c"',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { label: 'pts', kind: 'points', points: [[1, 1], [2, 4], [3, 9]] },
        { label: 'line', kind: 'line', points: [[0, 0], [3, 9]] },
        { label: 'bad', kind: 'line', points: [[NaN, 1], [1, Infinity]] },
      ],
    });
    expect(balanced(svg)).toBe(true);
    expect(svg).toContain(escapeXml('A <b> & "c"'));
    expect(svg).not.toContain('<b>');
    expect(svg.match(/<circle /g)?.length).toBe(3 + 1); // 3 points + legend marker
    expect(svg.match(/<polyline /g)?.length).toBe(1);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
  it('renders an empty chart without NaN', () => {
    const svg = renderChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] });
    expect(balanced(svg)).toBe(true);
    expect(svg).not.toMatch(/NaN/);
  });
});

describe('lab figures', () => {
  const runs = fakeRuns();
  it('distribution figure: two bound curves and 8 + 8 measured points', () => {
    for (const xScale of ['linear', 'log2'] as const) {
      const svg = distributionFigure(sweepPoints(runs), model, { xScale });
      expect(balanced(svg)).toBe(true);
      expect(svg.match(/<polyline /g)?.length).toBe(2);
      expect(svg.match(/<circle /g)?.length).toBe(16 + 2);
      expect(svg).toContain('client-server measured (HTTP)');
      expect(svg).not.toMatch(/NaN/);
    }
  });
  it('CDF and utilisation figures', () => {
    const some = runs.filter((r) => r.n === 32);
    for (const svg of [completionCdfFigure(some), utilisationFigure(some)]) {
      expect(balanced(svg)).toBe(true);
      expect(svg.match(/<polyline /g)?.length).toBe(2);
      expect(svg).not.toMatch(/NaN/);
    }
  });
});

describe('svgToPng', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => cleanup?.());
  it('writes a real PNG when a converter exists, returns null otherwise', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const svgPath = join(t.path, 'f.svg');
    await writeFile(svgPath, distributionFigure(sweepPoints(fakeRuns()), model));
    const used = await svgToPng(svgPath, join(t.path, 'f.png'));
    if (used === null) {
      await expect(readFile(join(t.path, 'f.png'))).rejects.toThrow();
      return;
    }
    const png = await readFile(join(t.path, 'f.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
