/**
 * A PeerHost in a child process (peer-host-worker.ts, run through tsx like the rest of the
 * CLI). Commands are acknowledged; events and counters arrive as the worker pushes them, so
 * `counters` answers at once with the latest report (at most ~100 ms old). If the worker dies,
 * every pending and later command fails with the reason: the run reports it, nothing hangs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeerCounters, PeerHost, PeerHostEvents } from './peer-host.ts';
import type { FromWorker, ToWorker } from './peer-host-protocol.ts';
import { TSX_IMPORT } from './tsx-loader.ts';

const WORKER = fileURLToPath(new URL('./peer-host-worker.ts', import.meta.url));
const ZERO: PeerCounters = { up: 0, down: 0, wasted: 0, granted: 0, peers: 0 };

export class RemotePeerHost implements PeerHost {
  /** CPU milliseconds the worker has used (its latest report). */
  cpuMs = 0;
  private readonly child: ChildProcess;
  private readonly latest = new Map<number, PeerCounters>();
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | undefined;
  private readonly ready: Promise<void>;

  constructor(init: Extract<ToWorker, { t: 'init' }>, events: PeerHostEvents) {
    this.child = fork(WORKER, [], { execArgv: [...TSX_IMPORT], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let readyResolve: () => void = () => undefined;
    let readyReject: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (m: FromWorker) => {
      switch (m.t) {
        case 'ready':
          return readyResolve();
        case 'ack': {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.error === undefined) p?.resolve();
          else p?.reject(new Error(`peer host worker: ${m.error}`));
          return;
        }
        case 'events':
          for (const [kind, index, piece] of m.events) {
            if (kind === 'verified') events.verified(index, piece);
            else events.done(index);
          }
          return;
        case 'counters':
          this.cpuMs = m.cpuMs;
          for (const [i, c] of m.list) this.latest.set(i, c);
          return;
      }
    });
    const die = (why: string): void => {
      if (this.dead) return;
      this.dead = new Error(`peer host worker ${why}`);
      readyReject(this.dead);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    this.child.on('exit', (code, signal) => die(`exited (${signal ?? code})`));
    this.child.on('error', (e) => die(`failed: ${e.message}`));
    this.child.send(init);
  }

  online(index: number): Promise<void> {
    return this.command({ t: 'online', id: 0, index });
  }

  offline(index: number): Promise<void> {
    return this.command({ t: 'offline', id: 0, index });
  }

  counters(index: number): PeerCounters {
    return this.latest.get(index) ?? ZERO;
  }

  refresh(): Promise<void> {
    return this.command({ t: 'report', id: 0 });
  }

  torrent(): undefined {
    return undefined;
  }

  async stop(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.command({ t: 'stop', id: 0 }).catch(() => undefined);
    await exited;
    clearTimeout(killer);
  }

  private async command(m: Extract<ToWorker, { id: number }>): Promise<void> {
    await this.ready;
    if (this.dead) throw this.dead;
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...m, id });
    });
  }
}
