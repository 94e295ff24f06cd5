import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.ts';
import { runTui } from '../../../src/cli/commands/tui.ts';
import { ControlServer } from '../../../src/control/server.ts';
import { defaultSocketPath, ensurePrivateDir } from '../../../src/control/paths.ts';
import { localSource } from '../../../tui/source.ts';
import { NetworkError } from '../../../src/errors.ts';
import type { Snapshot } from '../../../src/control/snapshot.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  process.exitCode = undefined;
});

async function serverIn(dir: string, kind: 'client' | 'tracker', pid: number): Promise<ControlServer> {
  // A fake pid for the name would be skipped as dead; live pids of this process and its parent are used.
  const s = new ControlServer({ snapshot: () => ({ process: { kind, pid, started: 0 } }) }, { kind, path: defaultSocketPath(kind, pid, dir) });
  await s.start();
  cleanups.push(() => s.stop());
  return s;
}

describe('ringswarm tui: finding processes', () => {
  it('with none running, says where it looked', async () => {
    const d = await tempDir('rs-tui-cli-');
    cleanups.push(d.cleanup);
    await expect(runTui({ dir: join(d.path, 'run') }, { out: () => undefined })).rejects.toThrow(NetworkError);
    await expect(runTui({ dir: join(d.path, 'run') }, { out: () => undefined })).rejects.toThrow(/no running ringswarm process found \(looked in .*run\)/);
  });

  it('--list lists live processes; several without --control are listed, not guessed', async () => {
    const d = await tempDir('rs-tui-cli-');
    cleanups.push(d.cleanup);
    const dir = join(d.path, 'run');
    await ensurePrivateDir(dir);
    await serverIn(dir, 'client', process.pid);
    await serverIn(dir, 'tracker', process.ppid);
    let out = '';
    await runTui({ list: true, dir }, { out: (s) => (out += s) });
    expect(out).toMatch(new RegExp(`client +pid ${process.pid} .*client-${process.pid}\\.sock`));
    expect(out).toMatch(new RegExp(`tracker +pid ${process.ppid} .*tracker-${process.ppid}\\.sock`));
    out = '';
    await runTui({ dir }, { out: (s) => (out += s) });
    expect(out).toMatch(/^several ringswarm processes are running; pick one with --control PATH:/);
    expect(process.exitCode).toBe(2);
  });
});

describe('localSource', () => {
  it('delivers a snapshot at once, then on its interval, until unsubscribed', async () => {
    let n = 0;
    const src = localSource(() => ({ process: { kind: 'demo', pid: 1, started: 0 } }), { intervalMs: 20, now: () => 1000 });
    const got: Snapshot[] = [];
    const stop = src.subscribe({ snapshot: (s) => got.push(s) });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ v: 1, seq: 1, at: 1000, process: { kind: 'demo' } });
    await new Promise((r) => setTimeout(r, 110));
    stop();
    n = got.length;
    expect(n).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 60));
    expect(got.length).toBe(n);
    expect(src.command).toBeUndefined();
  });
});
