/**
 * TCP connections through a host's throttle. Uploads wait for tokens from `throttle.up` before
 * each slice reaches the socket and respect 'drain'; downloads are held (and the socket paused,
 * so TCP flow control pushes back on the sender) until `throttle.down` grants them.
 *
 * Raw bytes only: the BitTorrent wire protocol does its own framing after the handshake; see
 * framed.ts for length-prefixed frames and duplex.ts for node:http over throttled sockets.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { AbortedError, ClosedError, NetworkError, TimeoutError, isRingswarmError } from '../errors.ts';
import { unmapIPv4, type Endpoint } from '../naming/endpoint.ts';
import { UNLIMITED, type HostThrottle } from './throttle.ts';

/** Largest piece written per upload grant, so several sockets of one host interleave. */
const WRITE_SLICE = 16 * 1024;
/**
 * Unthrottled writes go straight to the socket while its buffer holds less than this; writes
 * of one tick are corked into one writev (a BitTorrent block is a 13-byte header + 16 KiB).
 */
const DIRECT_BUFFER = 256 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();
/** Most bytes of queued writes merged into one batch (one throttle request per slice). */
const BATCH_BYTES = 64 * 1024;

/** Queued writes that go out together, in order; one promise for all of them. */
interface Batch {
  readonly parts: Uint8Array[];
  bytes: number;
  done: Promise<void>;
}

export interface ConnectionEvents {
  data: [chunk: Uint8Array];
  /** Once. err is undefined for an orderly close by either side. */
  close: [err: Error | undefined];
}

export class Connection extends EventEmitter<ConnectionEvents> {
  readonly remote: Endpoint;
  readonly local: Endpoint;
  /** Bytes delivered to 'data' listeners / accepted by the socket, after throttling. */
  bytesIn = 0;
  bytesOut = 0;
  private readonly socket: net.Socket;
  private readonly throttle: HostThrottle;
  private writeChain: Promise<void> = Promise.resolve();
  /** Writes queued on writeChain and not yet settled (the direct path keeps order only at 0). */
  private chained = 0;
  /** The last queued batch, while it has not started (later writes may join it). */
  private openBatch: Batch | undefined;
  private corked = false;
  private readonly inbound: Uint8Array[] = [];
  private reading = false;
  private appPaused = false;
  private socketGone = false;
  private isClosed = false;
  private error: Error | undefined;
  private readonly closedCtl = new AbortController();

  constructor(socket: net.Socket, throttle: HostThrottle = UNLIMITED) {
    super();
    this.socket = socket;
    this.throttle = throttle;
    this.remote = { host: unmapIPv4(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    this.local = { host: unmapIPv4(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('error', (e) => {
      this.error ??= toNetworkError(e);
    });
    socket.on('close', () => {
      this.socketGone = true;
      // Bytes already received are still delivered (at the throttled pace) before 'close'.
      if (this.error || (!this.reading && this.inbound.length === 0)) this.finish();
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The error the connection closed with, if any. */
  get closeError(): Error | undefined {
    return this.isClosed ? this.error : undefined;
  }

  /** Subscribe to data; returns an unsubscribe function. */
  onData(fn: (chunk: Uint8Array) => void): () => void {
    this.on('data', fn);
    return () => this.off('data', fn);
  }

  /**
   * Queue bytes for sending, in call order. Resolves when the socket has accepted them (not
   * when the peer has). Rejects with ClosedError if the connection closes first. An abort
   * before the first byte leaves the stream intact; an abort mid-message would corrupt it, so
   * it closes the connection with AbortedError.
   */
  write(data: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.chained === 0 && signal === undefined && !this.isClosed && this.throttle.up.unlimited) {
      return this.writeDirect(data);
    }
    // Join the last queued batch if it has not started: a burst of HAVEs to a throttled peer
    // costs one token request and one promise, not one each.
    const open = this.openBatch;
    if (signal === undefined && open !== undefined && open.bytes + data.length <= BATCH_BYTES) {
      open.parts.push(data);
      open.bytes += data.length;
      return open.done;
    }
    const batch: Batch = { parts: [data], bytes: data.length, done: RESOLVED };
    this.openBatch = signal === undefined ? batch : undefined;
    this.chained++;
    const p = this.writeChain.then(() => {
      if (this.openBatch === batch) this.openBatch = undefined;
      return this.doWrite(batch, signal);
    });
    batch.done = p;
    this.writeChain = p.then(
      () => void this.chained--,
      () => void this.chained--,
    );
    return p;
  }

  /**
   * The unthrottled fast path: no promise chain, no token request. Resolves at once while the
   * socket's buffer is short, else once it drains (later writes queue behind that).
   */
  private writeDirect(data: Uint8Array): Promise<void> {
    this.corkTick();
    this.socket.write(data);
    this.bytesOut += data.length;
    if (this.socket.writableLength < DIRECT_BUFFER) return RESOLVED;
    this.chained++;
    const p = this.drained();
    this.writeChain = p.then(
      () => void this.chained--,
      () => void this.chained--,
    );
    return p;
  }

  /**
   * Cork the socket until the end of this tick: every write made meanwhile (a REQUEST batch, a
   * block's header and data, slices granted in one throttle refill) leaves in one writev.
   */
  private corkTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      if (!this.corked) return; // close() flushed already
      this.corked = false;
      this.socket.uncork();
    });
  }

  /** Stop delivering 'data' (application backpressure); the socket pauses too. */
  pause(): void {
    this.appPaused = true;
    this.socket.pause();
  }

  resume(): void {
    this.appPaused = false;
    if (!this.reading) {
      if (this.inbound.length > 0) void this.pumpInbound();
      else if (this.socketGone) this.finish();
      else this.socket.resume();
    }
  }

  /** Close now (pending reads dropped, pending writes rejected). Idempotent. */
  close(err?: Error): void {
    if (this.isClosed) return;
    if (err) this.error ??= err;
    this.inbound.length = 0;
    // Writes that resolved were accepted: hand corked bytes to the kernel before destroying.
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    this.socket.destroy();
    this.finish();
  }

  /** Half-close after queued writes: the peer sees EOF; reading continues. */
  async end(): Promise<void> {
    await this.writeChain;
    if (!this.isClosed) await new Promise<void>((r) => this.socket.end(r));
  }

  /** Writes a batch's parts in order, asking the throttle for at most WRITE_SLICE at a time. */
  private async doWrite(batch: Batch, signal?: AbortSignal): Promise<void> {
    if (this.isClosed) throw new ClosedError('connection closed');
    if (signal?.aborted) throw new AbortedError('write aborted', { cause: signal.reason });
    const both = signal ? AbortSignal.any([signal, this.closedCtl.signal]) : this.closedCtl.signal;
    const up = this.throttle.up;
    const { parts } = batch;
    let left = batch.bytes;
    let part = 0;
    let off = 0; // inside parts[part]
    while (left > 0) {
      const n = up.unlimited ? left : Math.min(WRITE_SLICE, left);
      try {
        await up.request(n, both);
      } catch (e) {
        if (this.isClosed) throw new ClosedError('connection closed');
        if (left < batch.bytes) this.close(e instanceof Error ? e : new AbortedError());
        throw e;
      }
      if (this.isClosed) throw new ClosedError('connection closed');
      this.corkTick();
      let ok = true;
      for (let grant = n; grant > 0; ) {
        const data = parts[part] as Uint8Array;
        const k = Math.min(grant, data.length - off);
        ok = this.socket.write(k === data.length ? data : data.subarray(off, off + k));
        grant -= k;
        off += k;
        if (off === data.length) {
          part++;
          off = 0;
        }
      }
      left -= n;
      this.bytesOut += n;
      if (!ok) await this.drained();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        this.socket.off('drain', onDrain);
        reject(new ClosedError('connection closed'));
      };
      this.socket.once('drain', onDrain);
      this.once('close', onClose);
    });
  }

  private onSocketData(chunk: Uint8Array): void {
    if (this.isClosed) return;
    if (!this.reading && !this.appPaused && this.inbound.length === 0 && this.throttle.down.unlimited) {
      this.deliver(chunk);
      return;
    }
    this.inbound.push(chunk);
    if (!this.reading && !this.appPaused) void this.pumpInbound();
  }

  /** Deliver queued chunks one by one as download tokens arrive; the socket stays paused. */
  private async pumpInbound(): Promise<void> {
    this.reading = true;
    this.socket.pause();
    try {
      while (this.inbound.length > 0 && !this.appPaused && !this.isClosed) {
        const chunk = this.inbound[0] as Uint8Array;
        await this.throttle.down.request(chunk.length, this.closedCtl.signal);
        if (this.isClosed) return;
        this.inbound.shift();
        this.deliver(chunk);
      }
    } catch {
      return; // aborted by close()
    } finally {
      this.reading = false;
    }
    if (this.socketGone && this.inbound.length === 0) this.finish();
    else if (!this.appPaused && !this.isClosed && !this.socketGone) this.socket.resume();
  }

  private deliver(chunk: Uint8Array): void {
    this.bytesIn += chunk.length;
    try {
      this.emit('data', chunk);
    } catch (e) {
      // A listener that throws (e.g. a parser on bad input) drops the connection, not the process.
      this.close(isRingswarmError(e) || e instanceof Error ? e : new Error(String(e)));
    }
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closedCtl.abort(new ClosedError('connection closed'));
    this.emit('close', this.error);
  }
}

export interface DialOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  throttle?: HostThrottle;
  localAddress?: string;
  /** Disable Nagle (default true: peer-wire messages are small and latency-sensitive). */
  noDelay?: boolean;
}

/** Connect; rejects with TimeoutError, AbortedError or NetworkError (refused, unreachable). */
export function dial(to: Endpoint, o: DialOptions = {}): Promise<Connection> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      reject(new AbortedError('dial aborted', { cause: o.signal.reason }));
      return;
    }
    const opts: net.NetConnectOpts = { host: to.host, port: to.port, noDelay: o.noDelay ?? true };
    if (o.localAddress !== undefined) opts.localAddress = o.localAddress;
    const sock = net.connect(opts);
    const fail = (e: Error): void => {
      cleanup();
      sock.destroy();
      reject(e);
    };
    const onAbort = (): void => fail(new AbortedError('dial aborted', { cause: o.signal?.reason }));
    const onError = (e: Error): void => fail(toNetworkError(e, `cannot connect to ${to.host}:${to.port}`));
    const timer = setTimeout(
      () => fail(new TimeoutError(`connect to ${to.host}:${to.port} timed out`)),
      o.timeoutMs ?? 10_000,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      sock.off('error', onError);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('error', onError);
    sock.once('connect', () => {
      cleanup();
      resolve(new Connection(sock, o.throttle));
    });
  });
}

export interface ListenOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  throttle?: HostThrottle;
  noDelay?: boolean;
  onConnection: (conn: Connection) => void;
}

export interface TcpListener {
  readonly port: number;
  readonly local: Endpoint;
  /** Stop accepting and close every accepted connection. Idempotent. */
  close(): Promise<void>;
}

export function listen(o: ListenOptions): Promise<TcpListener> {
  const live = new Set<Connection>();
  const server = net.createServer({ noDelay: o.noDelay ?? true }, (sock) => {
    const conn = new Connection(sock, o.throttle);
    live.add(conn);
    conn.once('close', () => live.delete(conn));
    try {
      o.onConnection(conn);
    } catch (e) {
      conn.close(e instanceof Error ? e : new Error(String(e)));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(toNetworkError(e, 'cannot listen')));
    server.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 }, () => {
      const addr = server.address() as net.AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        port: addr.port,
        local: { host: unmapIPv4(addr.address), port: addr.port },
        close: () =>
          (closing ??= new Promise<void>((r) => {
            server.close(() => r());
            for (const c of live) c.close();
          })),
      });
    });
  });
}

/** Map a Node socket error to a typed error (keeps typed errors as they are). */
export function toNetworkError(e: unknown, context?: string): Error {
  if (isRingswarmError(e)) return e;
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  return new NetworkError(context ? `${context}: ${msg}` : msg, errno, { cause: e });
}
