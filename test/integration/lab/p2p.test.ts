import { describe, it, expect } from 'vitest';
import { runP2P } from '../../../src/lab/run-p2p.ts';
import { makePlan } from '../../../src/lab/plan.ts';
import { parseScenario } from '../../../src/lab/scenario.ts';
import { SWEEP_SCENARIO } from '../../../src/lab/scenario-defaults.ts';
import { labChokerTiming } from '../../../src/lab/p2p-timing.ts';

// N = 4, F = 512 KiB, u_s = 1 MiB/s, u = 256 KiB/s: bound N·F/(u_s + Σu) = 1 s.
const base = parseScenario({ n: 4, fileBytes: '512K', serverUp: '1M', peerUp: '256K', peerDown: '4M' }, SWEEP_SCENARIO);

describe('runP2P on loopback', () => {
  it('every peer completes; the measured time is at least the bound and within a generous factor', async () => {
    const r = await runP2P(makePlan(base), { sampleMs: 100, timeoutMs: 30_000 });
    expect(r.bound.seconds).toBeCloseTo(1, 9);
    expect(r.bound.term).toBe('aggregate-upload');
    expect(r.timedOut).toBe(false);
    expect(r.peers.every((p) => p.completedAtMs !== null && p.bytesDown >= 512 * 1024)).toBe(true);
    // The bound is a lower bound: a run below it means the throttles leak.
    expect(r.ratio).toBeGreaterThanOrEqual(0.97);
    expect(r.ratio).toBeLessThan(4);
    // Peers really traded: together they uploaded at least half a file's worth (the seed sends
    // each piece at least once; without duplicates the peers' share is about N·F − F·(u_s share)).
    expect(r.peers.reduce((a, p) => a + p.bytesUp, 0)).toBeGreaterThan(256 * 1024);
    expect(r.utilisation.length).toBeGreaterThan(3);
    // Copies only grow here (nobody leaves): the last spread sample is near full.
    expect(r.spread.at(-1)?.max).toBeGreaterThanOrEqual(4);
    expect(r.choker.rechokeIntervalMs).toBeLessThan(10_000);
    expect(r.cpu.busyFraction).toBeGreaterThan(0);
  });

  it('free riders still finish (from the others) and upload nothing', async () => {
    const s = parseScenario({ freeRiders: 0.5, choker: 'unchoke-all', picker: 'random' }, base);
    const r = await runP2P(makePlan(s), { timeoutMs: 30_000 });
    const riders = r.peers.filter((p) => p.freeRider);
    expect(riders).toHaveLength(2);
    expect(riders.every((p) => p.bytesUp === 0 && p.completedAtMs !== null)).toBe(true);
    expect(r.distributionSeconds).not.toBeNull();
  });

  it('discovery through the DHT alone (no tracker) still completes', async () => {
    const s = parseScenario({ n: 3, discovery: 'dht', fileBytes: '256K' }, base);
    const r = await runP2P(makePlan(s), { timeoutMs: 30_000 });
    expect(r.peers.every((p) => p.completedAtMs !== null)).toBe(true);
  });

  it('an abort stops everything quickly and keeps the completions so far', async () => {
    const s = parseScenario({ n: 3, join: [0, 0, 20_000] }, base);
    const ac = new AbortController();
    const t0 = performance.now();
    const run = runP2P(makePlan(s), { signal: ac.signal, onComplete: () => undefined });
    setTimeout(() => ac.abort(), 2500);
    const r = await run;
    expect(performance.now() - t0).toBeLessThan(8000);
    expect(r.interrupted).toBe(true);
    expect(r.distributionSeconds).toBeNull();
    expect(r.peers.filter((p) => p.completedAtMs !== null).length).toBe(2);
  });

  it('spread over 2 worker processes: every peer completes, bytes and CPU of the workers are counted', async () => {
    const s = parseScenario({ n: 6, join: [0, 0, 0, 0, 0, 1500] }, base);
    const r = await runP2P(makePlan(s), { processes: 2, sampleMs: 100, timeoutMs: 30_000 });
    expect(r.cpu.processes).toBe(2);
    expect(r.timedOut).toBe(false);
    expect(r.peers.every((p) => p.completedAtMs !== null && p.bytesDown >= 512 * 1024)).toBe(true);
    expect(r.peers.find((p) => p.index === 5)?.completedAtMs).toBeGreaterThan(1500); // joined late
    expect(r.ratio).toBeGreaterThanOrEqual(0.97);
    // Peers in different processes traded: the leechers uploaded, and the utilisation samples saw it.
    expect(r.peers.reduce((a, p) => a + p.bytesUp, 0)).toBeGreaterThan(256 * 1024);
    expect(Math.max(...r.utilisation.map((u) => u.uploadBps))).toBeGreaterThan(1024 * 1024);
    expect(r.cpu.busyFraction).toBeGreaterThan(0);
  });

  it('an abort stops the worker processes too', async () => {
    const s = parseScenario({ n: 4, join: [0, 0, 0, 20_000] }, base);
    const ac = new AbortController();
    const t0 = performance.now();
    const run = runP2P(makePlan(s), { processes: 2, signal: ac.signal });
    setTimeout(() => ac.abort(), 2500);
    const r = await run;
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.interrupted).toBe(true);
    expect(r.peers.filter((p) => p.completedAtMs !== null).length).toBe(3);
  });

  it('worker processes need tracker discovery', async () => {
    const s = parseScenario({ discovery: 'dht' }, base);
    await expect(runP2P(makePlan(s), { processes: 2 })).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('refuses a client-server scenario', async () => {
    await expect(runP2P(makePlan(parseScenario({ mode: 'client-server' }, base)))).rejects.toMatchObject({ code: 'CONFIG' });
  });
});

describe('labChokerTiming', () => {
  it('scales with the bound in the textbook 1:3 proportion, clamped to [500 ms, 10 s]', () => {
    expect(labChokerTiming(2).rechokeIntervalMs).toBe(500);
    expect(labChokerTiming(30)).toMatchObject({ rechokeIntervalMs: 1500, optimisticIntervalMs: 4500 });
    expect(labChokerTiming(3600).rechokeIntervalMs).toBe(10_000);
    expect(labChokerTiming(Number.NaN).rechokeIntervalMs).toBe(10_000);
  });
});
