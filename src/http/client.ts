/**
 * The client-server baseline's client: HTTP/1.1 GET/HEAD over one persistent src/net
 * connection, through the emulated host's HostThrottle (its d_i caps the download, as in the
 * P2P half). Requests are sent one at a time; a keep-alive connection the server closed while
 * idle is redialled once, transparently.
 */
import { dial, type Connection } from '../net/transport.ts';
import type { HostThrottle } from '../net/throttle.ts';
import type { Endpoint } from '../naming/endpoint.ts';
import { AbortedError, ClosedError, ProtocolError, TimeoutError, throwIfAborted } from '../errors.ts';
import { ByteQueue } from './conn.ts';
import { contentLength, formatHead, parseResponseHead, type Headers } from './parse.ts';
import { formatHttpDate } from './range.ts';

export interface HttpClientOptions {
  readonly endpoint: Endpoint;
  readonly throttle?: HostThrottle;
  /** Fail when no byte arrives for this long; default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Source address of the connection (the lab's kernel shaping tells hosts apart by it). */
  readonly localAddress?: string;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'HEAD';
  /** Inclusive byte range; end omitted = to the end of the file. */
  readonly range?: { readonly start: number; readonly end?: number };
  /** ms since the epoch → If-Modified-Since. */
  readonly ifModifiedSince?: number;
  readonly signal?: AbortSignal;
  /** Stream the body here instead of collecting it (for large downloads). */
  readonly onBody?: (chunk: Uint8Array) => void;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, unless onBody was given. */
  readonly body: Uint8Array | undefined;
  readonly bodyBytes: number;
  /** The request went over a connection that had already carried a response. */
  readonly reused: boolean;
}

/** Bytes received on one connection, with a way to wait for more. */
class Inbox {
  readonly q = new ByteQueue();
  ended = false;
  error: Error | undefined;
  #wake: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    this.q.push(chunk);
    this.#wake?.();
  }
  end(err?: Error): void {
    this.ended = true;
    this.error = err;
    this.#wake?.();
  }
  wait(idleMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (e?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#wake = undefined;
        if (e) reject(e);
        else resolve();
      };
      const onAbort = (): void => done(new AbortedError('request aborted', { cause: signal?.reason }));
      const timer = setTimeout(() => done(new TimeoutError(`no data for ${idleMs} ms`)), idleMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#wake = () => done();
    });
  }
}

export class HttpClient {
  readonly #opts: HttpClientOptions;
  #conn: Connection | undefined;
  #inbox: Inbox | undefined;
  #served = 0;
  #chain: Promise<unknown> = Promise.resolve();
  /** Connections opened so far (1 when keep-alive worked throughout). */
  connectionsOpened = 0;

  constructor(options: HttpClientOptions) {
    this.#opts = options;
  }

  /** Queues a request; requests on one client run one after another. */
  request(path: string, o: RequestOptions = {}): Promise<HttpResponse> {
    const p = this.#chain.then(() => this.#run(path, o));
    this.#chain = p.catch(() => undefined);
    return p;
  }

  get(path: string, o: Omit<RequestOptions, 'method'> = {}): Promise<HttpResponse> {
    return this.request(path, { ...o, method: 'GET' });
  }

  close(): void {
    this.#conn?.close();
    this.#conn = undefined;
  }

  async #connect(signal?: AbortSignal): Promise<{ conn: Connection; inbox: Inbox }> {
    if (this.#conn && !this.#conn.closed && this.#inbox && !this.#inbox.ended) return { conn: this.#conn, inbox: this.#inbox };
    const dialOpts: Parameters<typeof dial>[1] = {};
    if (this.#opts.throttle) dialOpts.throttle = this.#opts.throttle;
    if (signal) dialOpts.signal = signal;
    if (this.#opts.localAddress !== undefined) dialOpts.localAddress = this.#opts.localAddress;
    const conn = await dial(this.#opts.endpoint, dialOpts);
    const inbox = new Inbox();
    conn.onData((c) => inbox.push(c));
    conn.once('close', (err) => inbox.end(err));
    this.connectionsOpened++;
    this.#conn = conn;
    this.#inbox = inbox;
    this.#served = 0;
    return { conn, inbox };
  }

  async #run(path: string, o: RequestOptions): Promise<HttpResponse> {
    throwIfAborted(o.signal);
    const { conn, inbox } = await this.#connect(o.signal);
    const reused = this.#served > 0;
    try {
      return await this.#exchange(conn, inbox, path, o, reused);
    } catch (e) {
      this.close();
      // The server may close an idle keep-alive connection just as we reuse it: retry once
      // on a fresh connection if nothing of the response arrived.
      if (reused && e instanceof ClosedError && inbox.q.length === 0) {
        const fresh = await this.#connect(o.signal);
        return this.#exchange(fresh.conn, fresh.inbox, path, o, false);
      }
      throw e;
    }
  }

  async #exchange(conn: Connection, inbox: Inbox, path: string, o: RequestOptions, reused: boolean): Promise<HttpResponse> {
    const method = o.method ?? 'GET';
    const ep = this.#opts.endpoint;
    const headers: Array<[string, string]> = [
      ['Host', ep.host.includes(':') ? `[${ep.host}]:${ep.port}` : `${ep.host}:${ep.port}`],
      ['User-Agent', 'ringswarm'],
      ['Connection', 'keep-alive'],
    ];
    if (o.range) headers.push(['Range', `bytes=${o.range.start}-${o.range.end ?? ''}`]);
    if (o.ifModifiedSince !== undefined) headers.push(['If-Modified-Since', formatHttpDate(o.ifModifiedSince)]);
    await conn.write(new TextEncoder().encode(formatHead(`${method} ${/^[\x21-\x7e]+$/.test(path) ? path : encodeURI(path)} HTTP/1.1`, headers)), o.signal);
    const idle = this.#opts.idleTimeoutMs ?? 30_000;

    let parsed = parseResponseHead(inbox.q.view());
    while (parsed.kind === 'incomplete') {
      if (inbox.ended) throw inbox.error ?? new ClosedError('connection closed before a response');
      await inbox.wait(idle, o.signal);
      parsed = parseResponseHead(inbox.q.view());
    }
    inbox.q.take(parsed.consumed);
    const head = parsed.head;
    const noBody = method === 'HEAD' || head.status === 204 || head.status === 304 || head.status < 200;
    const declared = noBody ? 0 : contentLength(head.headers);
    if (!noBody && head.headers.has('transfer-encoding')) throw new ProtocolError('chunked responses are not supported by this client');
    const chunks: Uint8Array[] = [];
    let got = 0;
    // Without Content-Length the body runs to the end of the connection.
    const want = declared ?? Infinity;
    while (got < want) {
      if (inbox.q.length > 0) {
        const piece = inbox.q.take(Math.min(inbox.q.length, want - got));
        got += piece.length;
        if (o.onBody) o.onBody(piece);
        else chunks.push(piece);
        continue;
      }
      if (inbox.ended) {
        if (declared === undefined) break;
        throw inbox.error ?? new ClosedError(`connection closed after ${got} of ${declared} body bytes`);
      }
      await inbox.wait(idle, o.signal);
    }
    this.#served++;
    if (!head.keepAlive || declared === undefined) this.close();
    let body: Uint8Array | undefined;
    if (!o.onBody) {
      body = new Uint8Array(got);
      let off = 0;
      for (const c of chunks) {
        body.set(c, off);
        off += c.length;
      }
    }
    return { status: head.status, headers: head.headers, body, bodyBytes: got, reused };
  }
}
