/**
 * Text captures of every TUI view for the README, from real processes on loopback:
 *
 *   node --import tsx test/helpers/capture-screens.ts [outDir=docs/screens] [cols=100] [rows=30]
 *
 * - torrents.txt, peer-detail.txt: a `ringswarm get` mid-download (seeder capped at 1 MiB/s,
 *   two other leechers, all announced to a real `ringswarm tracker`);
 * - tracker.txt: that tracker's view;
 * - ring.txt: one node of a 4-node `ringswarm dht start` ring;
 * - lab.txt: `ringswarm demo` (its in-process TUI) on the lab view during the P2P run.
 * Needs tmux. Ports, pids and paths differ per run; the shapes are what the README shows.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connectControl } from '../../src/control/client.ts';
import { CliChild } from './interop/cli-child.ts';
import { hasTmux, ROOT, TmuxServer } from './tmux-pane.ts';
import { tempDir } from './tmp.ts';

const outDir = resolve(process.argv[2] ?? join(ROOT, 'docs', 'screens'));
const cols = Number(process.argv[3] ?? 100);
const rows = Number(process.argv[4] ?? 30);
const MiB = 2 ** 20;

if (!hasTmux()) {
  console.error('capture-screens: tmux is required');
  process.exit(1);
}

const tmux = new TmuxServer(`rs-capture-${process.pid}`);
const children: CliChild[] = [];
const cli = (args: string[]): CliChild => {
  const c = new CliChild(args);
  children.push(c);
  return c;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function stdoutMatch(c: CliChild, re: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  const end = Date.now() + ms;
  for (;;) {
    const m = re.exec(c.stdout);
    if (m) return m;
    if (Date.now() > end) throw new Error(`no ${re} in output:\n${c.stdout}\n${c.stderr}`);
    await sleep(100);
  }
}

async function save(name: string, screen: string): Promise<void> {
  const text = `${screen.split('\n').map((l) => l.trimEnd()).join('\n').trimEnd()}\n`;
  await writeFile(join(outDir, name), text);
  console.log(`wrote ${join(outDir, name)}`);
}

const count = (s: string, re: RegExp): number => s.split('\n').filter((l) => re.test(l)).length;

async function swarmAndTracker(dir: string): Promise<void> {
  const tracker = cli(['tracker', '--host', '127.0.0.1', '--port', '0', '--control', join(dir, 'tracker.sock')]);
  const [, announce] = await stdoutMatch(tracker, /announce (http:\/\/\S+)/);
  const file = join(dir, 'ringswarm-0.1.0-demo.iso');
  await writeFile(file, randomBytes(24 * MiB));
  const seed = cli(['seed', file, '-t', announce as string, '--host', '127.0.0.1', '--port', '0', '--db', join(dir, 'db-seed'), '--json', '--no-dht', '--no-lsd', '--control', join(dir, 'seed.sock')]);
  const seeding = await seed.event('seeding', 60_000);
  const sc = await connectControl(join(dir, 'seed.sock'));
  await sc.command({ op: 'limits', up: 1 * MiB });
  sc.close();
  const get = (name: string, extra: string[] = []): CliChild =>
    cli(['get', `${file}.torrent`, '-o', join(dir, name), '--db', join(dir, `db-${name}`), '--host', '127.0.0.1', '--port', '0', '--no-dht', '--no-lsd', '--peer', `127.0.0.1:${String(seeding.port)}`, '--json', ...extra]);
  get('alice');
  get('bob');
  await sleep(500);
  const me = get('me', ['--control', join(dir, 'me.sock')]);

  await me.event('started', 30_000);
  const mc = await connectControl(join(dir, 'me.sock'));
  tmux.startTui('get', cols, rows, `--control ${join(dir, 'me.sock')}`);
  // Mid-download, with every peer in the table and some history in the sparklines.
  const end = Date.now() + 60_000;
  for (;;) {
    const t = (await mc.get()).torrents?.[0];
    if (t && t.progress >= 0.35 && (t.peerList?.length ?? 0) >= 3) break;
    if (Date.now() > end) throw new Error('the get never reached 35% with 3 peers');
    await sleep(200);
  }
  mc.close();
  await sleep(300);
  await save('torrents.txt', tmux.capture('get'));
  tmux.keys('get', 'Tab');
  tmux.keys('get', 'Enter');
  await save('peer-detail.txt', await tmux.waitFor('get', (s) => s.includes('Peer 127.0.0.1:'), 'the peer detail'));
  tmux.keys('get', 'Escape');
  tmux.keys('get', '?');
  await save('help.txt', await tmux.waitFor('get', (s) => s.includes('optimistic unchoke'), 'the help'));
  tmux.keys('get', 'q');

  tmux.startTui('tracker', cols, rows, `--control ${join(dir, 'tracker.sock')}`);
  await sleep(1500);
  tmux.keys('tracker', '2');
  await save('tracker.txt', await tmux.waitFor('tracker', (s) => s.includes('announces/s') && s.includes(seeding.infoHash as string), 'the tracker view'));
  tmux.keys('tracker', 'q');
}

async function ring(dir: string): Promise<void> {
  const first = cli(['dht', 'start', '--id', 'ring-node-0', '--control', join(dir, 'dht0.sock')]);
  const [, addr] = await stdoutMatch(first, /dht node \S+@(127\.0\.0\.1:\d+)/);
  for (let i = 1; i < 4; i++) cli(['dht', 'start', '--id', `ring-node-${i}`, '--bootstrap', addr as string, '--control', join(dir, `dht${i}.sock`)]);
  tmux.startTui('ring', cols, rows, `--control ${join(dir, 'dht0.sock')}`);
  await sleep(1500);
  tmux.keys('ring', '3');
  await tmux.waitFor('ring', (s) => s.includes('Successors (3)'), 'a full successor list', 30_000);
  await sleep(4000); // a few fix-fingers rounds
  await save('ring.txt', tmux.capture('ring'));
  tmux.keys('ring', 'q');
}

async function lab(dir: string): Promise<void> {
  const cmd = `cd ${ROOT} && env TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 LANG=C.UTF-8 node --import tsx src/cli/main.ts demo --no-png --out ${join(dir, 'demo')}; sleep 30`;
  tmux.run('new-session', '-d', '-s', 'lab', '-x', String(cols), '-y', String(rows), cmd);
  await tmux.waitFor('lab', (s) => s.includes('?:help'), 'the demo TUI', 60_000);
  tmux.keys('lab', '4');
  // Some peers done, some still going: the race against the bound is visible.
  const screen = await tmux.waitFor('lab', (s) => count(s, /100% +\d/) >= 1, 'the first peer done', 60_000);
  await save('lab.txt', screen);
  tmux.keys('lab', 'q');
}

const dir = await tempDir('rs-capture-');
await mkdir(outDir, { recursive: true });
try {
  await swarmAndTracker(dir.path);
  await ring(dir.path);
  await lab(dir.path);
} finally {
  tmux.kill();
  children.forEach((c) => c.kill('SIGTERM'));
  await Promise.race([Promise.all(children.map((c) => c.exited)), sleep(5000)]);
  children.forEach((c) => c.kill('SIGKILL'));
  await dir.cleanup();
}
