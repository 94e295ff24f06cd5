/**
 * The TUI in a real terminal: tmux runs `ringswarm tui --control PATH` against a control
 * server fed by scripted snapshots (test/helpers/tui-scripted-server.ts); we send keys and
 * read the screen back with capture-pane.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI) throw new Error('tmux is required on CI for the TUI tests');
if (!hasTmux) console.warn('tmux not installed: skipping the TUI terminal tests');

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SOCK = `rs-tui-test-${process.pid}`;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8' });
  return r.stdout;
}

const capture = (target: string) => tmux('capture-pane', '-p', '-t', target);

async function waitFor(target: string, pred: (screen: string) => boolean, what: string, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = capture(target);
    if (pred(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${screen}`);
}

function startTui(name: string, w: number, h: number, args: string, env = ''): void {
  const cmd = `cd ${ROOT} && env TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 LANG=C.UTF-8 ${env} node --import tsx test/helpers/tui-entry.ts tui ${args}; echo TUI-EXITED $?; sleep 30`;
  tmux('new-session', '-d', '-s', name, '-x', String(w), '-y', String(h), cmd);
}

/** The row of the peers table for an address. */
const peerRow = (screen: string, addr: string) => screen.split('\n').find((l) => l.includes(addr) && /%/.test(l)) ?? '';

describe.skipIf(!hasTmux)('tui in tmux', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: ChildProcessWithoutNullStreams;
  let control: string;
  let out = '';

  const serverSays = async (line: string) => {
    const end = Date.now() + 10_000;
    while (!out.includes(line)) {
      if (Date.now() > end) throw new Error(`scripted server never said ${line}: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    dir = await tempDir('rs-tui-');
    control = join(dir.path, 'client.sock');
    server = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/tui-scripted-server.ts', control], { cwd: ROOT });
    server.stdout.on('data', (d: Buffer) => (out += d.toString()));
    server.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await serverSays('ready');
  });

  afterAll(async () => {
    tmux('kill-server');
    server?.stdin.end();
    server?.kill();
    await dir?.cleanup();
  });

  it('shows flags changing with choke state, the piece map filling, and quits on q', async () => {
    startTui('main', 100, 30, `--control ${control}`);
    let screen = await waitFor('main', (s) => s.includes('scripted-file.bin') && peerRow(s, '127.0.0.1:6881') !== '', 'the torrent and its peers');
    // Stage 0: the seeder chokes us (d), we choke the interested leecher (u, incoming I).
    expect(peerRow(screen, '127.0.0.1:6881')).toMatch(/ d +100%/);
    expect(peerRow(screen, '127.0.0.1:51413')).toMatch(/ uI +10\.0%/);
    expect(screen).toContain('1231231231231231231231231231231231231231');
    expect(screen).toContain('Pieces 40');

    server.stdin.write('next\n');
    await serverSays('stage 1');
    screen = await waitFor('main', (s) => / D +100%/.test(peerRow(s, '127.0.0.1:6881')), 'the seeder to unchoke us (D)');
    expect(peerRow(screen, '127.0.0.1:51413')).toMatch(/ UI +10\.0%/);
    expect(screen).toContain('█'.repeat(20) + '▓▓');

    server.stdin.write('next\n');
    await serverSays('stage 2');
    screen = await waitFor('main', (s) => s.includes('█'.repeat(40)), 'the piece map to fill');
    expect(screen).toMatch(/scripted-file\.bin .*100% seed/);
    // Fully downloaded: no longer interested in the seeder, which still unchokes us (K).
    expect(peerRow(screen, '127.0.0.1:6881')).toMatch(/ K +100%/);

    // Keys: tab to peers, enter for the detail of the top peer, escape, ? for help.
    tmux('send-keys', '-t', 'main', 'Tab');
    tmux('send-keys', '-t', 'main', 'Enter');
    screen = await waitFor('main', (s) => s.includes('Peer 127.0.0.1:'), 'the peer detail');
    expect(screen).toMatch(/We choke it/);
    tmux('send-keys', '-t', 'main', 'Escape');
    await waitFor('main', (s) => !s.includes('We choke it'), 'the detail to close');
    tmux('send-keys', '-t', 'main', '?');
    await waitFor('main', (s) => s.includes('O  optimistic unchoke'), 'the help');

    tmux('send-keys', '-t', 'main', 'Escape');
    await waitFor('main', (s) => !s.includes('O  optimistic unchoke'), 'the help to close');

    // p pauses the selected torrent through the control socket.
    tmux('send-keys', '-t', 'main', 'p');
    await serverSays(`cmd {"op":"pause","infoHash":"${'ab'.repeat(20)}"}`);
    await waitFor('main', (s) => s.includes('pause: ok'), 'the command result in the footer');

    // The other views: tracker, ring (node 3 has left in stage 2), lab.
    tmux('send-keys', '-t', 'main', '2');
    screen = await waitFor('main', (s) => s.includes('announces/s'), 'the tracker view');
    expect(screen).toMatch(new RegExp(`${'ab'.repeat(10)}.* 2 +0 +1 +1\\.50`));
    tmux('send-keys', '-t', 'main', '3');
    screen = await waitFor('main', (s) => s.includes('Successors (2)'), 'the ring view');
    expect(screen).not.toContain('3333333333333333');
    expect(screen).toMatch(/0-149 → 2222222222222222/);
    expect(screen).toMatch(/150-159 → 4444444444444444/);
    tmux('send-keys', '-t', 'main', '4');
    screen = await waitFor('main', (s) => s.includes('scripted n=2'), 'the lab view');
    expect(screen).toMatch(/peer-2 +█+ +100% +4\.80 s/);
    expect(screen).toMatch(/bound 4\.00 s \(1\.25×\)/);

    tmux('send-keys', '-t', 'main', 'q');
    screen = await waitFor('main', (s) => s.includes('TUI-EXITED'), 'the TUI to exit');
    expect(screen).toContain('TUI-EXITED 0');
  }, 40_000);

  it('a 40×10 terminal shows the too-small notice, and re-lays out when enlarged', async () => {
    startTui('small', 40, 10, `--control ${control}`);
    const screen = await waitFor('small', (s) => s.includes('too small'), 'the too-small notice');
    expect(screen).toContain('40×10');
    expect(screen).not.toContain('Peers');
    tmux('resize-window', '-t', 'small', '-x', '90', '-y', '26');
    await waitFor('small', (s) => s.includes('Peers (2)') && !s.includes('too small'), 'the full layout after resize');
    tmux('send-keys', '-t', 'small', 'q');
    await waitFor('small', (s) => s.includes('TUI-EXITED 0'), 'the TUI to exit');
  }, 30_000);

  it('without --control, finds the one running process under $XDG_RUNTIME_DIR and attaches', async () => {
    const xdg = join(dir.path, 'xdg');
    let said = '';
    const auto = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/tui-scripted-server.ts', 'auto'], { cwd: ROOT, env: { ...process.env, XDG_RUNTIME_DIR: xdg } });
    auto.stdout.on('data', (d: Buffer) => (said += d.toString()));
    try {
      const end = Date.now() + 10_000;
      while (!said.includes('ready') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(said).toContain(join(xdg, 'ringswarm', `demo-${auto.pid}.sock`));
      startTui('auto', 100, 30, '', `XDG_RUNTIME_DIR=${xdg}`);
      await waitFor('auto', (s) => s.includes(`demo pid ${auto.pid}`) && s.includes('scripted-file.bin'), 'the TUI attached to the only process');
      tmux('send-keys', '-t', 'auto', 'q');
      await waitFor('auto', (s) => s.includes('TUI-EXITED 0'), 'the TUI to exit');
      // With nothing running, the command says so in one line.
      auto.stdin.end();
      await new Promise((r) => auto.once('exit', r));
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/tui-entry.ts', 'tui'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: xdg } });
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim()).toMatch(/^ringswarm: no running ringswarm process found \(looked in .*xdg\/ringswarm\)/);
    } finally {
      auto.kill();
    }
  }, 40_000);

  it('a missing control socket gives a one-line message, not a stack trace', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/tui-entry.ts', 'tui', '--control', join(dir.path, 'nope.sock')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^ringswarm: no control socket at .*nope\.sock: is the ringswarm process running\?/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
