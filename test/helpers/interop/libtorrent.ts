/**
 * A libtorrent peer in a child process (lt_peer.py under /usr/bin/python3), for interop tests and
 * the transfer benchmark. It listens on 127.0.0.1, prints JSON lines, and is driven from here:
 * wait for an event, then stop it by closing its stdin (it reports CPU and peak RSS on the way out).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './tools.ts';

const SCRIPT = fileURLToPath(new URL('./lt_peer.py', import.meta.url));

export interface LtPeerOptions {
  torrent: string;
  /** libtorrent's save_path: the torrent's name is created under it. */
  save: string;
  seed?: boolean;
  port?: number;
  /** host:port endpoints to dial once checking is over. */
  peers?: string[];
  uploadLimit?: number;
  timeoutS?: number;
  /** A downloader keeps running (seeding) after completion until stop(). */
  stay?: boolean;
}

export interface LtEvent {
  event: 'listening' | 'progress' | 'done' | 'timeout' | 'error' | 'exit';
  [key: string]: unknown;
}

export interface LtExit {
  code: number | null;
  /** The 'exit' line: cpu (s), maxrss (bytes), uploaded, downloaded; absent if it was killed. */
  report: LtEvent | undefined;
  log: string;
}

export class LtPeer {
  readonly child: ChildProcess;
  port = 0;
  readonly events: LtEvent[] = [];
  private log = '';
  private readonly exited: Promise<LtExit>;
  private waiters: { pred: (e: LtEvent) => boolean; resolve: (e: LtEvent) => void }[] = [];

  private constructor(options: LtPeerOptions) {
    const args = [SCRIPT, '--torrent', options.torrent, '--save', options.save, '--port', String(options.port ?? 0), '--timeout', String(options.timeoutS ?? 120)];
    if (options.seed) args.push('--seed');
    if (options.stay) args.push('--stay');
    if (options.uploadLimit) args.push('--upload-limit', String(options.uploadLimit));
    for (const p of options.peers ?? []) args.push('--peer', p);
    this.child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let e: LtEvent;
      try {
        e = JSON.parse(line) as LtEvent;
      } catch {
        this.log += line + '\n';
        return;
      }
      if (e.event !== 'progress') this.log += line + '\n';
      this.events.push(e);
      if (this.events.length > 2000) this.events.splice(0, 1000); // progress lines are many
      this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => resolve({ code, report: this.events.findLast((e) => e.event === 'exit'), log: this.log }));
    });
  }

  /** Starts the peer and resolves once it listens (its port is then known). */
  static async start(options: LtPeerOptions): Promise<LtPeer> {
    const peer = new LtPeer(options);
    const listening = await peer.waitFor((e) => e.event === 'listening', 15_000);
    peer.port = Number(listening.port);
    return peer;
  }

  /** The first event (already seen or to come) matching `pred`; rejects on exit or timeout. */
  waitFor(pred: (e: LtEvent) => boolean, timeoutMs: number): Promise<LtEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`libtorrent peer: timed out after ${timeoutMs} ms\n${this.log}`)), timeoutMs);
      const w = { pred, resolve: (e: LtEvent) => (clearTimeout(timer), resolve(e)) };
      this.waiters.push(w);
      void this.exited.then((x) => {
        clearTimeout(timer);
        reject(new Error(`libtorrent peer exited (${x.code}) before the awaited event\n${x.log}`));
      });
    });
  }

  /** Resolves when the torrent is complete (seeding). */
  whenDone(timeoutMs: number): Promise<LtEvent> {
    return this.waitFor((e) => e.event === 'done', timeoutMs);
  }

  /** Closes stdin (a graceful exit with a resource report); SIGKILL if it lingers. */
  async stop(graceMs = 5000): Promise<LtExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin!.end();
      const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const x = await this.exited;
      clearTimeout(t);
      return x;
    }
    return this.exited;
  }

  /** Resolves when the process exits by itself (a downloader exits when done). */
  whenExited(): Promise<LtExit> {
    return this.exited;
  }

  output(): string {
    return this.log;
  }
}
