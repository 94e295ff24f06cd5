/**
 * `seed` and `get` as child processes finding each other without --peer or a tracker: a magnet
 * link with an x.pe hint (metadata from the seeder, then saved so a rerun needs nobody), the DHT
 * alone (leechers bootstrapping from the seeder's node: a .torrent and a bare magnet link), and
 * LSD on a loopback broadcast group. Everything stays on 127.0.0.1; the production LSD group is
 * never used (--no-lsd, or --lsd-group on loopback).
 */
import { describe, it, expect } from 'vitest';
import { createSocket } from 'node:dgram';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupAfterEach, cli, dirs } from './cli-env.ts';
import { diffTrees, writeTree, type TreeSpec } from '../../helpers/interop/fixtures.ts';

cleanupAfterEach();

/** A UDP port free right now (for the LSD group). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const SPEC: TreeSpec = { 'a.bin': 700_000, 'sub/b.bin': 123_457 };
const LOCAL = ['--host', '127.0.0.1', '--port', '0', '--json', '--interval', '200'];

async function seeder(root: string, env: NodeJS.ProcessEnv, extra: string[]) {
  await writeTree(join(root, 'share'), SPEC);
  const s = cli(['seed', join(root, 'share'), ...LOCAL, '--db', join(root, 'db-seed'), ...extra], env);
  return { child: s, seeding: await s.event('seeding', 30_000) };
}

describe('ringswarm seed / get discovery', () => {
  it('get <magnet with x.pe> fetches the metadata from the seeder, completes, and a rerun resumes from the saved torrent', async () => {
    const { root, env } = await dirs('ringswarm-disc-');
    const { seeding } = await seeder(root, env, ['--no-lsd', '--dht-port', '0']);
    // The seeder's own link carries x.pe for a specific listen address; build ours explicitly too.
    expect(String(seeding.magnet)).toContain(`x.pe=127.0.0.1%3A${seeding.port}`);
    const magnet = `magnet:?xt=urn:btih:${seeding.infoHash}&x.pe=127.0.0.1:${seeding.port}`;
    const out = join(root, 'out');
    const db = join(root, 'db-get');
    const args = ['get', magnet, '-o', out, ...LOCAL, '--db', db, '--no-lsd', '--no-dht'];
    const getter = cli(args, env);
    const meta = await getter.event('metadata', 30_000);
    expect(meta.from).toBe('peers');
    expect(String(meta.saved)).toBe(join(db, 'torrents', `${seeding.infoHash}.torrent`));
    await getter.event('done', 30_000);
    expect((await getter.exited).code, getter.stderr).toBe(0);
    expect(await diffTrees(join(root, 'share'), join(out, 'share'), SPEC)).toEqual([]);
    expect((await stat(String(meta.saved))).size).toBeGreaterThan(0);

    // Rerun: the metadata is on disk, so it needs no peer at all to know it is complete.
    const again = cli([...args.slice(0, 2), '-o', out, ...LOCAL, '--db', db, '--no-lsd', '--no-dht', '--no-pex'], env);
    expect((await again.event('metadata', 30_000)).from).toBe('saved');
    expect((await again.event('done', 30_000)).progress).toBe(1);
    expect((await again.exited).code, again.stderr).toBe(0);
  }, 60_000);

  it('a trackerless torrent and a bare magnet link download through the DHT alone (leechers bootstrap from the seeder)', async () => {
    const { root, env } = await dirs('ringswarm-disc-');
    const { seeding } = await seeder(root, env, ['--no-lsd', '--dht-port', '0']);
    expect(seeding.dhtPort).toBeGreaterThan(0);
    const bootstrap = `127.0.0.1:${String(seeding.dhtPort)}`;
    const viaDht = ['--no-lsd', '--no-pex', '--dht-port', '0', '--bootstrap', bootstrap];
    const byFile = cli(['get', join(root, 'share.torrent'), '-o', join(root, 'out1'), ...LOCAL, '--db', join(root, 'db1'), ...viaDht], env);
    const byLink = cli(['get', `magnet:?xt=urn:btih:${seeding.infoHash}`, '-o', join(root, 'out2'), ...LOCAL, '--db', join(root, 'db2'), ...viaDht], env);
    for (const g of [byFile, byLink]) {
      await g.event('done', 45_000);
      expect((await g.exited).code, g.stderr).toBe(0);
    }
    expect(await diffTrees(join(root, 'share'), join(root, 'out1', 'share'), SPEC)).toEqual([]);
    expect(await diffTrees(join(root, 'share'), join(root, 'out2', 'share'), SPEC)).toEqual([]);
    // The ring they joined is remembered for the next start (the nodes it knew when it left:
    // the bootstrap, or the other leecher's node in its place).
    const known = JSON.parse(await readFile(join(root, 'db1', 'dht-nodes.json'), 'utf8')) as string[];
    expect(known.length).toBeGreaterThan(0);
    expect(known.every((k) => k.startsWith('127.0.0.1:'))).toBe(true);
  }, 90_000);

  it('LSD on a loopback group: seeder and leecher find each other with no tracker, no DHT and no --peer', async () => {
    const { root, env } = await dirs('ringswarm-disc-');
    const group = `127.255.255.255:${await freeUdpPort()}`;
    const { seeding } = await seeder(root, env, ['--no-dht', '--lsd-group', group]);
    expect(seeding.lsd).toBe(true);
    const g = cli(['get', join(root, 'share.torrent'), '-o', join(root, 'out'), ...LOCAL, '--db', join(root, 'db-get'), '--no-dht', '--no-trackers', '--lsd-group', group], env);
    await g.event('done', 30_000);
    expect((await g.exited).code, g.stderr).toBe(0);
    expect(await diffTrees(join(root, 'share'), join(root, 'out', 'share'), SPEC)).toEqual([]);
  }, 60_000);

  it('a magnet whose peers never answer: --timeout exits 4, Ctrl-C during the metadata phase exits 130', async () => {
    const { root, env } = await dirs('ringswarm-disc-');
    const dead = `127.0.0.1:${await freeUdpPort()}`; // nobody listens on TCP there either
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&x.pe=${dead}`;
    const base = ['get', magnet, '-o', join(root, 'out'), ...LOCAL, '--no-lsd', '--no-dht'];
    const timed = cli([...base, '--db', join(root, 'db1'), '--timeout', '1'], env);
    expect((await timed.exited).code, timed.stderr).toBe(4);
    expect(timed.stderr).toMatch(/no metadata/);
    const stopped = cli([...base, '--db', join(root, 'db2')], env);
    await stopped.event('fetching-metadata', 30_000);
    stopped.kill('SIGINT');
    expect((await stopped.exited).code, stopped.stderr).toBe(130);
    expect(stopped.lines.some((l) => l.event === 'interrupted')).toBe(true);
  }, 30_000);

  it('a listener on loopback does not use LSD unless given a group', async () => {
    const { root, env } = await dirs('ringswarm-disc-');
    const { child, seeding } = await seeder(root, env, ['--no-dht']);
    expect(seeding.lsd).toBe(false);
    expect(seeding.dhtPort).toBeNull();
    child.kill('SIGINT');
    expect((await child.exited).code, child.stderr).toBe(0);
  }, 30_000);
});
