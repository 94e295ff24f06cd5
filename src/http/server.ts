/**
 * The client-server baseline's server: an HTTP/1.1 file server over src/net, so its uploads
 * draw from the same HostThrottle as a BitTorrent seeder would — u_s means the same thing in
 * both halves of the lab's comparison. Serves regular files under one folder, GET and HEAD,
 * persistent connections, single byte ranges and If-Modified-Since.
 */
import { listen, type Connection, type TcpListener } from '../net/transport.ts';
import type { HostThrottle } from '../net/throttle.ts';
import { ClosedError } from '../errors.ts';
import { realRoot } from './files.ts';
import { byteConn } from './net-binding.ts';
import { DEFAULT_LIMITS, type HeadLimits } from './parse.ts';
import { HttpSession, type SessionEvents } from './session.ts';

export interface HttpServerOptions {
  /** Folder to serve. */
  readonly root: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** The emulated host's link; default unlimited. */
  readonly throttle?: HostThrottle;
  readonly limits?: HeadLimits;
  /** Idle keep-alive (and slow-head) timeout; default 30 s. */
  readonly idleMs?: number;
  /** File read size per write; default 64 KiB. */
  readonly chunkBytes?: number;
}

export interface HttpServerStats {
  connections: number;
  requests: number;
  /** Responses by status code. */
  readonly byStatus: Map<number, number>;
  bodyBytes: number;
}

export class HttpFileServer {
  readonly #opts: HttpServerOptions;
  readonly #events: SessionEvents;
  #listener: TcpListener | undefined;
  #starting: Promise<TcpListener> | undefined;
  readonly #sessions = new Set<HttpSession>();
  readonly stats: HttpServerStats = { connections: 0, requests: 0, byStatus: new Map(), bodyBytes: 0 };

  constructor(options: HttpServerOptions, events: SessionEvents = {}) {
    this.#opts = options;
    this.#events = events;
  }

  /** Listening port (after start). */
  get port(): number {
    if (this.#listener === undefined) throw new ClosedError('server not started');
    return this.#listener.port;
  }

  /** Idempotent; resolves with the port. */
  async start(): Promise<number> {
    this.#starting ??= (async () => {
      const root = await realRoot(this.#opts.root);
      const sessionOpts = {
        root,
        limits: this.#opts.limits ?? DEFAULT_LIMITS,
        idleMs: this.#opts.idleMs ?? 30_000,
        chunkBytes: this.#opts.chunkBytes ?? 64 * 1024,
        now: () => Date.now(),
      };
      const onResponse: NonNullable<SessionEvents['onResponse']> = (info) => {
        this.stats.requests++;
        this.stats.bodyBytes += info.bodyBytes;
        this.stats.byStatus.set(info.status, (this.stats.byStatus.get(info.status) ?? 0) + 1);
        this.#events.onResponse?.(info);
      };
      const onConnection = (conn: Connection): void => {
        this.stats.connections++;
        const session = new HttpSession(byteConn(conn), sessionOpts, { onResponse });
        this.#sessions.add(session);
        conn.once('close', () => this.#sessions.delete(session));
      };
      const listenOpts: Parameters<typeof listen>[0] = { host: this.#opts.host ?? '127.0.0.1', port: this.#opts.port ?? 0, onConnection };
      if (this.#opts.throttle !== undefined) listenOpts.throttle = this.#opts.throttle;
      this.#listener = await listen(listenOpts);
      return this.#listener;
    })();
    return (await this.#starting).port;
  }

  /** Stops listening and closes every connection. Idempotent. */
  async stop(): Promise<void> {
    const starting = this.#starting;
    if (starting === undefined) return;
    const listener = await starting.catch(() => undefined);
    for (const s of this.#sessions) s.close();
    await listener?.close();
  }
}
