/**
 * What an attached TUI costs a real transfer.
 *
 *   npx tsx bench/tui-overhead.ts [sizeMiB=512] [rounds=4]
 *
 * One `ringswarm seed` (unthrottled, loopback) and, per round, a fresh `ringswarm get` of the
 * whole file (new output dir and resume db). Rounds alternate ABBA between bare and with the
 * real TUI (`runTui`, blessed, in a 100×30 tmux pane) attached to the get's control socket and
 * subscribed (4 snapshots/s, each with the piece map and peers, rendered on screen). The TUI
 * process is started before the get and waits for the socket, so its start-up is not counted;
 * the time is the get's own, from its `started` to its `done` JSON line. The get is where the
 * snapshot work lands (piece map, peer list); on 2 cores the TUI also competes for CPU with
 * seeder and getter, which is part of the honest cost. Prints figures; never pass/fail.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runTui } from '../src/cli/commands/tui.ts';
import { CliChild } from '../test/helpers/interop/cli-child.ts';
import { TmuxServer } from '../test/helpers/tmux-pane.ts';
import { tempDir } from '../test/helpers/tmp.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

if (process.argv[2] === '--tui-when-ready') {
  // Child mode, inside tmux: modules loaded, wait for the get's socket, then attach at once.
  const path = process.argv[3] as string;
  process.stdout.write('waiting for the control socket\n');
  while (!existsSync(path)) await sleep(5);
  await runTui({ control: path }, { out: (s) => void process.stdout.write(s) });
  process.exit(0);
} else {
  await main();
}

async function writeRandom(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let done = 0; done < bytes; done += 4 * 2 ** 20) {
    if (!out.write(randomBytes(Math.min(4 * 2 ** 20, bytes - done)))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? 512);
  const rounds = Number(process.argv[3] ?? 4);
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is required');
  const bytes = sizeMiB * 2 ** 20;
  const dir = await tempDir('rs-bench-tui-');
  const tmux = new TmuxServer(`rs-bench-tui-${process.pid}`);
  const children: CliChild[] = [];
  try {
    const file = join(dir.path, 'bench.bin');
    await writeRandom(file, bytes);
    const seed = new CliChild(['seed', file, '--host', '127.0.0.1', '--port', '0', '--db', join(dir.path, 'db-seed'), '--json', '--no-dht', '--no-lsd', '--no-pex']);
    children.push(seed);
    const seeding = await seed.event('seeding', 300_000);

    const round = async (i: number, tui: boolean): Promise<number> => {
      const sock = join(dir.path, `get-${i}.sock`);
      const out = join(dir.path, `out-${i}`);
      if (tui) {
        const cmd = `cd ${join(import.meta.dirname, '..')} && env TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 LANG=C.UTF-8 node --import tsx bench/tui-overhead.ts --tui-when-ready ${sock}; sleep 5`;
        tmux.run('new-session', '-d', '-s', `r${i}`, '-x', '100', '-y', '30', cmd);
        await tmux.waitFor(`r${i}`, (s) => s.includes('waiting for the control socket'), 'the TUI process', 30_000);
      }
      const get = new CliChild(['get', `${file}.torrent`, '-o', out, '--db', join(dir.path, `db-${i}`), '--host', '127.0.0.1', '--port', '0', '--no-trackers', '--no-dht', '--no-lsd', '--no-pex', '--peer', `127.0.0.1:${String(seeding.port)}`, '--json', '--control', sock]);
      children.push(get);
      const started = await get.event('started', 60_000);
      const done = await get.event('done', 600_000);
      const secs = ((done.t as number) - (started.t as number)) / 1000;
      if (tui) {
        // The TUI really was attached and drew the torrent (it says disconnected once the get exits).
        const screen = tmux.capture(`r${i}`);
        if (!screen.includes('bench.bin')) throw new Error(`the TUI never showed the torrent:\n${screen}`);
        tmux.run('kill-session', '-t', `r${i}`);
      }
      await get.exited;
      await rm(out, { recursive: true, force: true });
      await rm(join(dir.path, `db-${i}`), { recursive: true, force: true });
      const rate = bytes / secs;
      console.log(`  ${i < 0 ? 'warm-up' : `round ${i + 1}`} ${tui ? 'tui ' : 'bare'} ${secs.toFixed(2)} s  ${(rate / 1e6).toFixed(1)} MB/s`);
      return rate;
    };

    await round(-1, false); // warm-up: page cache, JIT
    const runs: { tui: boolean; rate: number }[] = [];
    for (let i = 0; i < rounds * 2; i++) {
      const tui = [false, true, true, false][i % 4] as boolean; // ABBA: drift favours neither mode
      runs.push({ tui, rate: await round(i, tui) });
    }
    const mean = (tui: boolean): number => {
      const xs = runs.filter((r) => r.tui === tui).map((r) => r.rate);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const median = (tui: boolean): number => {
      const xs = runs.filter((r) => r.tui === tui).map((r) => r.rate).sort((a, b) => a - b);
      return ((xs[(xs.length - 1) >> 1] as number) + (xs[xs.length >> 1] as number)) / 2;
    };
    const spread = (tui: boolean): string => {
      const xs = runs.filter((r) => r.tui === tui).map((r) => r.rate / 1e6);
      return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
    };
    const bare = mean(false);
    const withTui = mean(true);
    // On a shared 2-core box the round-to-round spread can exceed the effect; print it.
    console.log(`  medians: bare ${(median(false) / 1e6).toFixed(1)} MB/s, tui ${(median(true) / 1e6).toFixed(1)} MB/s (loss ${(((median(false) - median(true)) / median(false)) * 100).toFixed(1)}%); spread bare ${spread(false)}, tui ${spread(true)} MB/s`);
    console.log(
      `ringswarm seed → get, ${sizeMiB} MiB on loopback, ${rounds} rounds each: bare ${(bare / 1e6).toFixed(1)} MB/s, ` +
        `with the TUI attached ${(withTui / 1e6).toFixed(1)} MB/s, loss ${(((bare - withTui) / bare) * 100).toFixed(1)}% (target < 5%)`,
    );
  } finally {
    tmux.kill();
    children.forEach((c) => c.kill('SIGTERM'));
    await Promise.race([Promise.all(children.map((c) => c.exited)), sleep(5000)]);
    children.forEach((c) => c.kill('SIGKILL'));
    await dir.cleanup();
  }
}
