/**
 * `ringswarm tui` in tmux against REAL processes on loopback (no scripted snapshots):
 *
 * - Swarm: one `ringswarm seed` capped at 1 MiB/s up, five `ringswarm get` (the crowd) that take
 *   its 4 round-robin slots and the optimistic one, then a sixth `get` we attach to. The seeder
 *   has no slot for it, so its row shows `d` (interested, choked). Two crowd peers leave
 *   (SIGTERM), the seeder rechokes at once and the row turns `D`; the piece map fills meanwhile.
 * - Ring: three `ringswarm dht start` nodes; attached to one, we SIGTERM another and watch the
 *   successor list lose it.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectControl, type ControlClient } from '../../../src/control/client.ts';
import { CliChild } from '../../helpers/interop/cli-child.ts';
import { fullBlocks, hasTmux, peerRow, TmuxServer } from '../../helpers/tmux-pane.ts';
import { tempDir } from '../../helpers/tmp.ts';

const tmuxOk = hasTmux();
if (!tmuxOk && process.env.CI) throw new Error('tmux is required on CI for the TUI tests');

const MiB = 2 ** 20;
const until = async <T>(f: () => Promise<T | undefined> | T | undefined, what: string, ms = 30_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
};

describe.skipIf(!tmuxOk)('tui against a real loopback swarm', () => {
  const tmux = new TmuxServer(`rs-real-${process.pid}`);
  const children: CliChild[] = [];
  const controls: ControlClient[] = [];
  const dirs: { cleanup: () => Promise<void> }[] = [];
  const cli = (args: string[]): CliChild => {
    const c = new CliChild(args);
    children.push(c);
    return c;
  };

  afterAll(async () => {
    tmux.kill();
    controls.forEach((c) => c.close());
    children.forEach((c) => c.kill('SIGKILL'));
    await Promise.all(children.map((c) => c.exited));
    await Promise.all(dirs.map((d) => d.cleanup()));
  });

  it('shows the seeder choking us (d), unchoking us when slots free up (D), and the piece map filling', async () => {
    const dir = await tempDir('rs-real-swarm-');
    dirs.push(dir);
    const file = join(dir.path, 'swarm.bin');
    await writeFile(file, randomBytes(32 * MiB));
    const seedSock = join(dir.path, 'seed.sock');
    const seed = cli(['seed', file, '--host', '127.0.0.1', '--port', '0', '--db', join(dir.path, 'db-seed'), '--json', '--no-dht', '--no-lsd', '--control', seedSock]);
    const seeding = await seed.event('seeding', 60_000);
    const seederAddr = `127.0.0.1:${String(seeding.port)}`;
    const sc = await connectControl(seedSock);
    controls.push(sc);
    await sc.command({ op: 'limits', up: 1 * MiB }); // the whole swarm shares 1 MiB/s: ≥ 32 s to finish

    const get = (name: string, extra: string[] = []): CliChild =>
      cli(['get', `${file}.torrent`, '-o', join(dir.path, name), '--db', join(dir.path, `db-${name}`), '--host', '127.0.0.1', '--port', '0', '--no-trackers', '--no-dht', '--no-lsd', '--peer', seederAddr, '--json', ...extra]);
    const crowd = Array.from({ length: 5 }, (_, i) => get(`crowd${i}`));
    // The crowd holds the seeder's 4 regular slots and its optimistic unchoke.
    let flags = '';
    await until(async () => {
      const peers = (await sc.get()).torrents?.[0]?.peerList ?? [];
      flags = peers.map((p) => `${p.address} ${p.flags}`).join(', ');
      return peers.filter((p) => p.flags.includes('U')).length >= 5 ? true : undefined;
    }, 'the crowd to be unchoked by the seeder', 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; the seeder's peers: ${flags}`);
    });

    const meSock = join(dir.path, 'me.sock');
    const me = get('me', ['--control', meSock]);
    await me.event('started', 30_000);
    tmux.startTui('swarm', 100, 30, `--control ${meSock}`);
    let screen = await tmux.waitFor('swarm', (s) => / d +100%/.test(peerRow(s, seederAddr)), 'the seeder row with d (it chokes us)', 20_000);
    expect(screen).toContain('swarm.bin');
    // The seeder's own view agrees: exactly one interested peer it chokes, five it serves.
    const seederPeers = (await sc.get()).torrents?.[0]?.peerList ?? [];
    expect(seederPeers.filter((p) => p.flags.includes('u')).length).toBe(1);
    expect(seederPeers.filter((p) => p.flags.includes('U')).length).toBe(5);
    const blocksBefore = fullBlocks(screen);

    // Two crowd peers leave: 4 interested peers fit the seeder's slots, so it unchokes us at once.
    crowd.slice(0, 2).forEach((c) => c.kill('SIGTERM'));
    screen = await tmux.waitFor('swarm', (s) => / D +100%/.test(peerRow(s, seederAddr)), 'the seeder row to turn D (unchoked)', 20_000);
    screen = await tmux.waitFor('swarm', (s) => fullBlocks(s) >= blocksBefore + 5, 'the piece map to fill', 20_000);
    expect(fullBlocks(screen)).toBeGreaterThan(blocksBefore);
    tmux.keys('swarm', 'q');
    await tmux.waitFor('swarm', (s) => s.includes('TUI-EXITED 0'), 'the TUI to exit');
  }, 150_000);

  it('the ring view drops a node that left', async () => {
    const started = (c: CliChild): Promise<{ id: string; addr: string }> =>
      until(() => {
        const m = /dht node ([0-9a-f]+)@(127\.0\.0\.1:\d+)/.exec(c.stdout);
        return m ? { id: m[1] as string, addr: m[2] as string } : undefined;
      }, 'a dht node to start');
    const dir = await tempDir('rs-real-ring-');
    dirs.push(dir);
    const sock = (n: string): string => join(dir.path, `${n}.sock`);
    const a = cli(['dht', 'start', '--id', 'node-a', '--control', sock('a')]);
    const aInfo = await started(a);
    const b = cli(['dht', 'start', '--id', 'node-b', '--bootstrap', aInfo.addr, '--control', sock('b')]);
    const c = cli(['dht', 'start', '--id', 'node-c', '--bootstrap', aInfo.addr, '--control', sock('c')]);
    const [bInfo, cInfo] = await Promise.all([started(b), started(c)]);

    tmux.startTui('ring', 100, 30, `--control ${sock('a')}`);
    await tmux.waitFor('ring', (s) => s.includes('Chord ring') || s.includes('up '), 'the TUI to attach');
    tmux.keys('ring', '3');
    let screen = await tmux.waitFor('ring', (s) => s.includes('Successors (2)'), 'both other nodes in the successor list', 30_000);
    expect(screen).toContain(bInfo.id);
    expect(screen).toContain(cInfo.id);

    b.kill('SIGTERM'); // leaves the ring gracefully
    screen = await tmux.waitFor('ring', (s) => s.includes('Successors (1)'), 'the successor list to lose the node', 30_000);
    expect(screen).not.toContain(bInfo.id);
    expect(screen).toContain(cInfo.id);
    expect(await b.exited).toMatchObject({ code: 0 });
    tmux.keys('ring', 'q');
    await tmux.waitFor('ring', (s) => s.includes('TUI-EXITED 0'), 'the TUI to exit');
  }, 90_000);
});
