/**
 * `ringswarm tui` in a real terminal: a private tmux server (-L name) whose sessions run the
 * TUI; send keys and read the screen back with capture-pane. Shared by the real-swarm test and
 * the README capture script.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const hasTmux = (): boolean => spawnSync('tmux', ['-V']).status === 0;

export class TmuxServer {
  readonly socket: string;

  constructor(socket: string) {
    this.socket = socket;
  }

  run(...args: string[]): string {
    return spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' }).stdout;
  }

  /** A w×h session running `ringswarm tui <args>`; it prints TUI-EXITED <status> when it ends. */
  startTui(name: string, w: number, h: number, args: string, env = ''): void {
    const cmd = `cd ${ROOT} && env TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 LANG=C.UTF-8 ${env} node --import tsx test/helpers/tui-entry.ts tui ${args}; echo TUI-EXITED $?; sleep 30`;
    this.run('new-session', '-d', '-s', name, '-x', String(w), '-y', String(h), cmd);
  }

  capture(target: string): string {
    return this.run('capture-pane', '-p', '-t', target);
  }

  keys(target: string, ...keys: string[]): void {
    this.run('send-keys', '-t', target, ...keys);
  }

  async waitFor(target: string, pred: (screen: string) => boolean, what: string, ms = 15_000): Promise<string> {
    const end = Date.now() + ms;
    let screen = '';
    while (Date.now() < end) {
      screen = this.capture(target);
      if (pred(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; screen was:\n${screen}`);
  }

  kill(): void {
    this.run('kill-server');
  }
}

/** The peers-table row for an address (a row with a percentage), or ''. */
export const peerRow = (screen: string, addr: string): string => screen.split('\n').find((l) => l.includes(addr) && /%/.test(l)) ?? '';

/** Full blocks on screen: the piece map's "have" cells (and any bar at 100%). */
export const fullBlocks = (screen: string): number => [...screen].filter((c) => c === '█').length;
