/**
 * The control socket of a long-running process: a Unix socket only its owner can open, which
 * streams state snapshots to subscribers on a tick and hands validated commands to an injected
 * handler.
 *
 * Cheap by construction: nothing is computed while nobody is subscribed, a tick builds and
 * encodes one snapshot for all subscribers, and a subscriber that does not read (its socket
 * backlog over maxBacklog) skips snapshots instead of growing our memory. Bad input never
 * throws out of a handler: garbage gets an error frame, repeated garbage or an oversized frame
 * a disconnect, and the server lives on.
 */
import { EventEmitter } from 'node:events';
import { chmod, lstat, mkdtemp, rename, rmdir, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { ConfigError, FrameTooLargeError, isRingswarmError } from '../errors.ts';
import { LengthPrefixFramer, encodeFrame } from '../net/framer.ts';
import { defaultSocketPath, ensurePrivateDir } from './paths.ts';
import {
  MAX_CLIENT_FRAME,
  PROTOCOL_VERSION,
  decodeClientMessage,
  encodeMessage,
  type ControlCommand,
  type ControlEvent,
  type ServerMessage,
} from './protocol.ts';
import { SNAPSHOT_VERSION, type ProcessInfo, type ProcessKind, type Snapshot, type SnapshotBody } from './snapshot.ts';

export interface ControlServerDeps {
  /** The process's state now; called at most once per tick, and only while someone subscribes. */
  snapshot: () => SnapshotBody;
  /** Carries out a command; a thrown typed error's code and message go back to the client. */
  handle?: (cmd: ControlCommand) => void | Promise<void>;
  now?: () => number;
}

export interface ControlServerOptions {
  kind: ProcessKind;
  /** Socket path (`--control PATH`); default under the user's runtime directory. */
  path?: string;
  /** Snapshot tick, ms (default 250: four a second). */
  intervalMs?: number;
  /** Invalid frames a client may send before it is disconnected (default 3). */
  maxBadFrames?: number;
  maxClients?: number;
  /** Bytes queued to one client beyond which its snapshots are skipped (default 4 MiB). */
  maxBacklog?: number;
}

export interface ControlServerEvents {
  command: [cmd: ControlCommand];
  /** A client was rejected or dropped for bad input (informational). */
  rejected: [reason: string];
  error: [err: Error];
}

interface Client {
  socket: Socket;
  framer: LengthPrefixFramer;
  subscribed: boolean;
  intervalMs: number;
  lastSent: number;
  bad: number;
}

export class ControlServer extends EventEmitter<ControlServerEvents> {
  readonly kind: ProcessKind;
  readonly path: string;
  private readonly deps: ControlServerDeps;
  private readonly explicitPath: boolean;
  private readonly intervalMs: number;
  private readonly maxBadFrames: number;
  private readonly maxClients: number;
  private readonly maxBacklog: number;
  private readonly started: number;
  private readonly clients = new Set<Client>();
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private starting: Promise<void> | undefined;
  private ino: number | undefined;
  private readonly onExit = (): void => {
    // Last-chance cleanup so a crashed or exiting process leaves no socket file behind.
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  };

  constructor(deps: ControlServerDeps, o: ControlServerOptions) {
    super();
    this.deps = deps;
    this.kind = o.kind;
    this.explicitPath = o.path !== undefined;
    this.path = o.path ?? defaultSocketPath(o.kind);
    this.intervalMs = o.intervalMs ?? 250;
    this.maxBadFrames = o.maxBadFrames ?? 3;
    this.maxClients = o.maxClients ?? 16;
    this.maxBacklog = o.maxBacklog ?? 4 * 1024 * 1024;
    this.started = this.now();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get processInfo(): ProcessInfo {
    return { kind: this.kind, pid: process.pid, started: this.started };
  }

  start(): Promise<void> {
    this.starting ??= this.listen();
    return this.starting;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  private async listen(): Promise<void> {
    const dir = dirname(this.path);
    if (!this.explicitPath) await ensurePrivateDir(dir);
    await removeStale(this.path);
    // Bind inside a fresh 0700 directory, chmod 0600, then rename into place: the socket is
    // never reachable at its public path with the umask's permissions, not even briefly.
    const tmp = await mkdtemp(join(dir, '.rs-'));
    const tmpPath = join(tmp, 's');
    const server = createServer((s) => this.accept(s));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(tmpPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
      await chmod(tmpPath, 0o600);
      await rename(tmpPath, this.path);
      this.ino = (await lstat(this.path)).ino;
    } catch (e) {
      server.close();
      throw e;
    } finally {
      await rmdir(tmp).catch(() => undefined);
    }
    server.on('error', (e) => this.emit('error', e));
    this.server = server;
    process.once('exit', this.onExit);
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    this.starting = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    process.off('exit', this.onExit);
    // Only remove the file if it is still ours (another process may have replaced it).
    try {
      if ((await lstat(this.path)).ino === this.ino) await unlink(this.path);
    } catch {
      /* gone */
    }
  }

  /** Send an event to every subscriber (log lines, peers banned, torrent finished). */
  publish(event: ControlEvent): void {
    const frame = encodeFrame(encodeMessage({ t: 'event', event }));
    for (const c of this.clients) if (c.subscribed) c.socket.write(frame);
  }

  /** One snapshot now, numbered; exposed so an in-process TUI can share the same source. */
  takeSnapshot(): Snapshot {
    return { v: SNAPSHOT_VERSION, seq: ++this.seq, at: this.now(), ...this.deps.snapshot() };
  }

  private tick(): void {
    const now = this.now();
    const due = [...this.clients].filter(
      (c) => c.subscribed && now - c.lastSent >= c.intervalMs - 5 && c.socket.writableLength <= this.maxBacklog,
    );
    if (due.length === 0) return;
    const frame = this.snapshotFrame();
    if (!frame) return;
    for (const c of due) {
      c.lastSent = now;
      c.socket.write(frame);
    }
  }

  private snapshotFrame(): Uint8Array | undefined {
    try {
      return encodeFrame(encodeMessage({ t: 'snapshot', snapshot: this.takeSnapshot() }));
    } catch (e) {
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
      return undefined;
    }
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined); // a reset client is just gone; 'close' follows
    if (this.clients.size >= this.maxClients) {
      this.emit('rejected', 'too many control clients');
      socket.destroy();
      return;
    }
    const c: Client = { socket, framer: new LengthPrefixFramer({ maxFrame: MAX_CLIENT_FRAME }), subscribed: false, intervalMs: this.intervalMs, lastSent: 0, bad: 0 };
    this.clients.add(c);
    socket.once('close', () => this.clients.delete(c));
    this.send(c, { t: 'hello', v: PROTOCOL_VERSION, process: this.processInfo });
    socket.on('data', (chunk) => this.onData(c, chunk));
  }

  private onData(c: Client, chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = c.framer.push(chunk);
    } catch (e) {
      const msg = e instanceof FrameTooLargeError ? e.message : 'framing error';
      this.emit('rejected', msg);
      this.drop(c, 'FRAME_TOO_LARGE', msg);
      return;
    }
    for (const f of frames) {
      if (c.socket.destroyed) return;
      this.onFrame(c, f);
    }
  }

  private onFrame(c: Client, frame: Uint8Array): void {
    let m;
    try {
      m = decodeClientMessage(frame);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.emit('rejected', msg);
      if (++c.bad >= this.maxBadFrames) this.drop(c, 'PROTOCOL', `${msg}; too many invalid frames, disconnecting`);
      else this.send(c, { t: 'error', code: 'PROTOCOL', message: msg });
      return;
    }
    switch (m.t) {
      case 'subscribe':
        c.subscribed = true;
        c.intervalMs = Math.max(this.intervalMs, m.intervalMs ?? 0);
        c.lastSent = this.now();
        // The first snapshot goes out at once so a TUI never starts blank.
        this.sendSnapshot(c);
        break;
      case 'unsubscribe':
        c.subscribed = false;
        break;
      case 'get':
        this.sendSnapshot(c);
        break;
      case 'cmd':
        void this.runCommand(c, m.id, m.cmd);
        break;
    }
  }

  private sendSnapshot(c: Client): void {
    const frame = this.snapshotFrame();
    if (frame) c.socket.write(frame);
  }

  private async runCommand(c: Client, id: number, cmd: ControlCommand): Promise<void> {
    this.emit('command', cmd);
    if (!this.deps.handle) {
      this.send(c, { t: 'result', id, ok: false, code: 'UNSUPPORTED', message: `this ${this.kind} process accepts no commands` });
      return;
    }
    try {
      await this.deps.handle(cmd);
      this.send(c, { t: 'result', id, ok: true });
    } catch (e) {
      const code = isRingswarmError(e) ? e.code : 'FAILED';
      this.send(c, { t: 'result', id, ok: false, code, message: e instanceof Error ? e.message : String(e) });
    }
  }

  private send(c: Client, m: ServerMessage): void {
    if (!c.socket.destroyed) c.socket.write(encodeFrame(encodeMessage(m)));
  }

  private drop(c: Client, code: string, message: string): void {
    if (c.socket.destroyed) return;
    c.socket.end(encodeFrame(encodeMessage({ t: 'error', code, message })));
    // end() flushes the error frame; a client that never closes its side is cut off anyway.
    setTimeout(() => c.socket.destroy(), 1000).unref();
    c.socket.removeAllListeners('data');
    this.clients.delete(c);
  }
}

/**
 * A socket file left by a process that died: remove it. A live one means another process owns
 * the path; anything that is not a socket is never deleted (it may be the user's file).
 */
async function removeStale(path: string): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new ConfigError(`${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new ConfigError(`another process is already listening on ${path}`);
  await unlink(path).catch(() => undefined);
}
