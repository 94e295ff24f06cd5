/**
 * Client side of the control socket (the TUI attaching to a running process).
 *
 * Connecting waits for the server's hello, so a path that is not a ringswarm control socket
 * fails at once with a clear message; a missing, dead or forbidden socket becomes a
 * NetworkError whose message says which and what to do, never a stack trace.
 */
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { ClosedError, NetworkError, ProtocolError, RingswarmError, TimeoutError, type ErrorCode } from '../errors.ts';
import { LengthPrefixFramer, encodeFrame } from '../net/framer.ts';
import {
  MAX_SERVER_FRAME,
  decodeServerMessage,
  encodeMessage,
  type ClientMessage,
  type ControlCommand,
  type ControlEvent,
  type ServerMessage,
} from './protocol.ts';
import type { ProcessInfo, Snapshot } from './snapshot.ts';

export interface ControlClientEvents {
  snapshot: [snapshot: Snapshot];
  event: [event: ControlEvent];
  /** An error frame from the server (it rejected something we sent). */
  serverError: [code: string, message: string];
  close: [err: Error | undefined];
}

export interface ConnectOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

const KNOWN_CODES = new Set<string>(['PROTOCOL', 'CONFIG', 'STORAGE', 'TRACKER', 'BUSY', 'METAINFO', 'MAGNET', 'NETWORK', 'TIMEOUT', 'CLOSED']);

/** A friendly message for the ways connecting to a socket path fails. */
export function describeConnectError(path: string, e: unknown): NetworkError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new NetworkError(`no control socket at ${path}: is the ringswarm process running? (run \`ringswarm tui\` to list running processes)`, code);
    case 'ECONNREFUSED':
      return new NetworkError(`the process behind ${path} is not running any more (stale control socket)`, code);
    case 'EACCES':
    case 'EPERM':
      return new NetworkError(`permission denied opening ${path}: control sockets are only open to the user who started the process`, code);
    case 'ENOTSOCK':
      return new NetworkError(`${path} is not a control socket`, code);
    default:
      return new NetworkError(`cannot connect to ${path}: ${e instanceof Error ? e.message : String(e)}`, code);
  }
}

export class ControlClient extends EventEmitter<ControlClientEvents> {
  readonly path: string;
  readonly process: ProcessInfo;
  private readonly socket: Socket;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  private constructor(path: string, socket: Socket, framer: LengthPrefixFramer, hello: ProcessInfo, rest: Uint8Array[]) {
    super();
    this.path = path;
    this.socket = socket;
    this.process = hello;
    socket.on('data', (chunk) => {
      let frames: Uint8Array[];
      try {
        frames = framer.push(chunk);
      } catch (e) {
        this.close(e instanceof Error ? e : undefined);
        return;
      }
      for (const f of frames) this.onFrame(f);
    });
    socket.on('error', (e) => this.close(describeConnectError(path, e)));
    socket.on('close', () => this.close());
    // Frames that arrived in the same chunk as the hello, delivered after listeners attach.
    queueMicrotask(() => rest.forEach((f) => this.onFrame(f)));
  }

  /** Connect and wait for the server's hello. */
  static connect(path: string, o: ConnectOptions = {}): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const framer = new LengthPrefixFramer({ maxFrame: MAX_SERVER_FRAME });
      const fail = (e: Error): void => {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(e);
      };
      const onAbort = (): void => fail(new ClosedError('connect aborted'));
      const timer = setTimeout(() => fail(new TimeoutError(`${path} accepted the connection but sent no hello: not a ringswarm control socket?`)), o.timeoutMs ?? 3000);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (e) => fail(describeConnectError(path, e)));
      socket.once('close', () => fail(new NetworkError(`${path} closed the connection before saying hello`)));
      const onData = (chunk: Buffer): void => {
        let frames: Uint8Array[];
        let first: ServerMessage;
        try {
          frames = framer.push(chunk);
          if (frames.length === 0) return;
          first = decodeServerMessage(frames[0] as Uint8Array);
        } catch {
          fail(new ProtocolError(`${path} is not a ringswarm control socket (unexpected greeting)`));
          return;
        }
        if (first.t !== 'hello') {
          fail(new ProtocolError(`${path} did not greet with hello`));
          return;
        }
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners();
        resolve(new ControlClient(path, socket, framer, first.process, frames.slice(1)));
      };
      socket.on('data', onData);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ask for snapshots every intervalMs (never faster than the server's own tick). */
  subscribe(intervalMs?: number): void {
    this.send(intervalMs === undefined ? { t: 'subscribe' } : { t: 'subscribe', intervalMs });
  }

  unsubscribe(): void {
    this.send({ t: 'unsubscribe' });
  }

  /** One snapshot, outside any subscription. */
  get(timeoutMs = 3000): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('snapshot', on);
        reject(new TimeoutError('no snapshot from the control socket'));
      }, timeoutMs);
      const on = (s: Snapshot): void => {
        clearTimeout(timer);
        resolve(s);
      };
      this.once('snapshot', on);
      this.send({ t: 'get' });
    });
  }

  /** Run a command; rejects with the server's error (same code when it is one of ours). */
  command(cmd: ControlCommand): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('control connection closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ t: 'cmd', id, cmd });
    });
  }

  /** Send raw bytes (tests use this to play a hostile client). */
  sendRaw(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  close(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const p of this.pending.values()) p.reject(err ?? new ClosedError('control connection closed'));
    this.pending.clear();
    this.emit('close', err);
  }

  private send(m: ClientMessage): void {
    if (!this.closed) this.socket.write(encodeFrame(encodeMessage(m)));
  }

  private onFrame(f: Uint8Array): void {
    if (this.closed) return;
    let m: ServerMessage;
    try {
      m = decodeServerMessage(f);
    } catch (e) {
      this.close(e instanceof Error ? e : undefined);
      return;
    }
    switch (m.t) {
      case 'snapshot':
        this.emit('snapshot', m.snapshot);
        break;
      case 'event':
        this.emit('event', m.event);
        break;
      case 'error':
        this.emit('serverError', m.code, m.message);
        break;
      case 'result': {
        const p = this.pending.get(m.id);
        if (!p) break;
        this.pending.delete(m.id);
        if (m.ok) p.resolve();
        else p.reject(new RingswarmError((KNOWN_CODES.has(m.code) ? m.code : 'PROTOCOL') as ErrorCode, m.message));
        break;
      }
      case 'hello':
        break;
    }
  }
}

export const connectControl = (path: string, o?: ConnectOptions): Promise<ControlClient> => ControlClient.connect(path, o);
