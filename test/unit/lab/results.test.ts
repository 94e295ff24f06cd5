import { describe, it, expect, afterEach } from 'vitest';
import { readFile } from 'node:fs/promises';
import { RunRecorder, distributionTime, coefficientOfVariation, sweepPoints, completionTimes, describeRun } from '../../../src/lab/results.ts';
import { saveResults, toCsv, runsCsv } from '../../../src/lab/results-files.ts';
import { makePlan } from '../../../src/lab/plan.ts';
import { SWEEP_SCENARIO } from '../../../src/lab/scenario-defaults.ts';
import { tempDir } from '../../helpers/tmp.ts';

const plan = makePlan({ ...SWEEP_SCENARIO, n: 3, mode: 'client-server' }); // bound 3 × 0.8 s = 2.4 s

function run(times: Array<number | null>, repeat = 0) {
  const rec = new RunRecorder(plan, repeat);
  times.forEach((t, i) => {
    if (t !== null) rec.completed(i, t);
    rec.bytes(i, 0, SWEEP_SCENARIO.fileBytes);
  });
  return rec.finish(times.includes(null));
}

describe('RunRecorder', () => {
  it('measures the last completion and the ratio to the bound', () => {
    const r = run([1000, 2640, 2000]);
    expect(plan.bound.seconds).toBeCloseTo(2.4, 9);
    expect(r.distributionSeconds).toBeCloseTo(2.64, 9);
    expect(r.ratio).toBeCloseTo(1.1, 9);
    expect(r.peers[1]?.bytesDown).toBe(SWEEP_SCENARIO.fileBytes);
    expect(describeRun(r)).toMatch(/client-server N=3: measured 2.64 s, bound 2.40 s \(server\), ratio 1.100, 3\/3 complete/);
  });
  it('keeps partial results of an interrupted run', () => {
    const r = run([1000, null, 2000]);
    expect(r.distributionSeconds).toBeNull();
    expect(r.ratio).toBeNull();
    expect(r.interrupted).toBe(true);
    expect(completionTimes(r)).toEqual([1, 2]);
    expect(describeRun(r)).toMatch(/incomplete.*2\/3 complete, interrupted/);
  });
  it('keeps the first completion when a peer completes twice', () => {
    const rec = new RunRecorder(plan);
    rec.completed(0, 500);
    rec.completed(0, 900);
    expect(rec.finish().peers[0]?.completedAtMs).toBe(500);
  });
  it('summarises piece-copy spread samples', () => {
    const rec = new RunRecorder(plan);
    rec.spread(100, [0, 1, 2, 5]);
    rec.spread(200, []);
    rec.utilisation(100, 50, 100);
    const r = rec.finish();
    expect(r.spread).toEqual([{ atMs: 100, min: 0, max: 5, mean: 2 }]);
    expect(r.utilisation).toEqual([{ atMs: 100, uploadBps: 50, capacityBps: 100 }]);
  });
});

describe('statistics', () => {
  it('distributionTime needs every peer', () => {
    expect(distributionTime([])).toBeNull();
  });
  it('coefficient of variation', () => {
    expect(coefficientOfVariation([5])).toBe(0);
    expect(coefficientOfVariation([2, 2, 2])).toBe(0);
    expect(coefficientOfVariation([1, 3])).toBeCloseTo(Math.SQRT2 / 2, 9);
  });
  it('sweepPoints groups repeats by mode and N, skipping incomplete runs', () => {
    const pts = sweepPoints([run([2400, 2400, 2400], 0), run([2640, 0, 0], 1), run([null, 0, 0], 2)]);
    expect(pts).toHaveLength(1);
    expect(pts[0]?.measured).toEqual([2.4, 2.64]);
    expect(pts[0]?.ratio).toBeCloseTo(2.52 / 2.4, 9);
  });
});

describe('files', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('CSV quotes what needs quoting', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [null, 1]])).toBe('a,b\n"x,y","say ""hi"""\n,1\n');
  });
  it('saves JSON and CSV that read back', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const runs = [run([1000, 2640, 2000])];
    const files = await saveResults(t.path, 'cs', runs, { note: 'x' });
    const json = JSON.parse(await readFile(files.json, 'utf8'));
    expect(json.note).toBe('x');
    expect(json.runs[0].distributionSeconds).toBeCloseTo(2.64, 9);
    expect(await readFile(files.runsCsv, 'utf8')).toBe(runsCsv(runs));
    const peers = (await readFile(files.peersCsv, 'utf8')).trim().split('\n');
    expect(peers).toHaveLength(4);
    expect(peers[2]).toBe(`textbook-sweep,client-server,3,0,1,0,2640,0,${SWEEP_SCENARIO.fileBytes},false`);
  });
});
