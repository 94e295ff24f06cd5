/**
 * `ringswarm …` as a child process (node --import tsx src/cli/main.ts), with its --json lines
 * parsed as they arrive, so a test can wait for "seeding", watch progress, and kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliLine {
  event: string;
  [key: string]: unknown;
}

export class CliChild {
  readonly child: ChildProcess;
  readonly lines: CliLine[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { pred: (l: CliLine) => boolean; resolve: (l: CliLine) => void }[] = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.stdout += line + '\n';
      let l: CliLine;
      try {
        l = JSON.parse(line) as CliLine;
      } catch {
        return;
      }
      this.lines.push(l);
      this.waiters = this.waiters.filter((w) => (w.pred(l) ? (w.resolve(l), false) : true));
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first JSON line (seen or to come) matching pred; rejects on exit or timeout with the output. */
  waitFor(pred: (l: CliLine) => boolean, timeoutMs: number): Promise<CliLine> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`ringswarm child: timed out after ${timeoutMs} ms\nstdout:\n${this.stdout.slice(-3000)}\nstderr:\n${this.stderr}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
      void this.exited.then((x) => {
        clearTimeout(t);
        reject(new Error(`ringswarm child exited (${x.code ?? x.signal}) first\nstdout:\n${this.stdout.slice(-3000)}\nstderr:\n${this.stderr}`));
      });
    });
  }

  event(name: string, timeoutMs: number): Promise<CliLine> {
    return this.waitFor((l) => l.event === name, timeoutMs);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
