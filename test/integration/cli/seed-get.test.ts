/**
 * `ringswarm seed` and `ringswarm get` as real child processes on 127.0.0.1: seed a directory
 * (its torrent is created next to it), get it through --peer into another folder, compare the
 * bytes; Ctrl-C stops the seeder cleanly. Failures exit with the documented statuses and a
 * one-line message: a garbage torrent → 3, no peer within --timeout → 4.
 */
import { describe, it, expect } from 'vitest';
import { createServer } from 'node:net';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectControl } from '../../../src/control/client.ts';
import { cleanupAfterEach, cli, dirs } from './cli-env.ts';
import { diffTrees, writeTree, type TreeSpec } from '../../helpers/interop/fixtures.ts';

cleanupAfterEach();

const SPEC: TreeSpec = { 'x.bin': 1_300_000, 'y/z.bin': 400_001 };

describe('ringswarm seed / get', () => {
  it('seeds a directory and gets it through --peer; Ctrl-C stops the seeder with status 0', async () => {
    const { root, env } = await dirs();
    await writeTree(join(root, 'share'), SPEC);
    const seeder = cli(['seed', join(root, 'share'), '--host', '127.0.0.1', '--port', '0', '--db', join(root, 'db1'), '--json', '--interval', '200'], env);
    const seeding = await seeder.event('seeding', 30_000);
    expect(seeding.port).toBeGreaterThan(0);
    expect(String(seeding.magnet)).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}/);
    expect((await stat(join(root, 'share.torrent'))).size).toBeGreaterThan(0);

    const out = join(root, 'out');
    const getter = cli(['get', join(root, 'share.torrent'), '-o', out, '--peer', `127.0.0.1:${seeding.port}`, '--host', '127.0.0.1', '--port', '0', '--db', join(root, 'db2'), '--json', '--interval', '100'], env);
    const done = await getter.event('done', 30_000);
    expect(done.progress).toBe(1);
    expect((await getter.exited).code).toBe(0);
    expect(await diffTrees(join(root, 'share'), join(out, 'share'), SPEC)).toEqual([]);
    const progress = getter.lines.filter((l) => l.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((l) => typeof l.downloadRate === 'number' && typeof l.peers === 'number')).toBe(true);

    seeder.kill('SIGINT');
    const x = await seeder.exited;
    expect(x.code, seeder.stderr).toBe(0);
    expect(seeder.lines.some((l) => l.event === 'stopped')).toBe(true);
  }, 60_000);

  it('seed serves its control socket: a client snapshot, pause, and quit ends it with status 0', async () => {
    const { root, env } = await dirs();
    await writeTree(join(root, 'share'), { 'a.bin': 100_000 });
    const sock = join(root, 'run', 'seed.sock');
    const seeder = cli(['seed', join(root, 'share'), '--host', '127.0.0.1', '--port', '0', '--db', join(root, 'db'), '--json', '--control', sock], env);
    const seeding = await seeder.event('seeding', 30_000);
    expect(seeding.control).toBe(sock);
    const c = await connectControl(sock);
    try {
      expect(c.process.kind).toBe('client');
      const snap = await c.get();
      expect(snap.torrents?.map((t) => [t.infoHash, t.state])).toEqual([[seeding.infoHash, 'seeding']]);
      await c.command({ op: 'pause', infoHash: String(seeding.infoHash) });
      expect((await c.get()).torrents?.[0]?.state).toBe('paused');
      await expect(c.command({ op: 'pause', infoHash: '0'.repeat(40) })).rejects.toThrow(/no torrent/);
      await c.command({ op: 'quit' });
    } finally {
      c.close();
    }
    expect((await seeder.exited).code, seeder.stderr).toBe(0);
    expect(seeder.lines.find((l) => l.event === 'stopped')?.reason).toBe('quit');
  }, 30_000);

  it('get on a garbage file exits 3 with a one-line message', async () => {
    const { root, env } = await dirs();
    const bad = join(root, 'garbage.torrent');
    await writeFile(bad, 'this is not bencode at all');
    const c = cli(['get', bad, '-o', join(root, 'out'), '--port', '0', '--host', '127.0.0.1', '--db', join(root, 'db')], env);
    const x = await c.exited;
    expect(x.code).toBe(3);
    const lines = c.stderr.trim().split('\n');
    expect(lines, c.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^ringswarm: .*garbage\.torrent.*not a valid torrent/);
  }, 30_000);

  it('get exits 4 when no peer connects within --timeout', async () => {
    const { root, env } = await dirs();
    await writeTree(join(root, 'share'), { 'a.bin': 50_000 });
    const mk = cli(['create', join(root, 'share'), '-o', join(root, 's.torrent')], env);
    expect((await mk.exited).code).toBe(0);
    // A port nobody listens on: bind, note it, close.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const c = cli(['get', join(root, 's.torrent'), '-o', join(root, 'out'), '--peer', `127.0.0.1:${port}`, '--timeout', '2', '--port', '0', '--host', '127.0.0.1', '--db', join(root, 'db')], env);
    const x = await c.exited;
    expect(x.code, c.stderr).toBe(4);
    expect(c.stderr).toMatch(/no peer connected within 2 s/);
  }, 30_000);
});
