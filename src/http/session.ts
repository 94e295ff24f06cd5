/**
 * One server-side HTTP/1.1 connection: reads request heads, answers them one at a time
 * (pipelined requests queue up in the buffer), streams file bodies through the throttled
 * connection, and turns every bad request into a status code instead of an exception.
 *
 * Whether the connection survives an error depends on whether we still know where the next
 * request starts: after a well-framed request we refused (a bad or forbidden path, 404, 405,
 * 416) we do, so it stays open; after a malformed head (400/414/431/505) or an unread body
 * (413) we do not, so we answer and close.
 */
import { open } from 'node:fs/promises';
import type { ByteConn } from './conn.ts';
import { ByteQueue } from './conn.ts';
import { resolveFile } from './files.ts';
import { HttpError, REASONS, isHttpError } from './http-error.ts';
import { contentLength, formatHead, parseRequestHead, type HeadLimits, type RequestHead } from './parse.ts';
import { contentRange, decideRange, formatHttpDate, notModifiedSince } from './range.ts';
import { parseTarget } from './target.ts';

export interface SessionOptions {
  /** Real path of the served folder. */
  readonly root: string;
  readonly limits: HeadLimits;
  /** Close a connection idle (or stuck mid-head) this long. */
  readonly idleMs: number;
  readonly chunkBytes: number;
  readonly now: () => number;
}

export interface SessionEvents {
  /** Every answered request, for logs and stats. */
  onResponse?(info: { method: string; target: string; status: number; bodyBytes: number }): void;
}

const SERVER = 'ringswarm';

export class HttpSession {
  readonly #conn: ByteConn;
  readonly #opts: SessionOptions;
  readonly #events: SessionEvents;
  readonly #in = new ByteQueue();
  #busy = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #abort = new AbortController();

  constructor(conn: ByteConn, opts: SessionOptions, events: SessionEvents = {}) {
    this.#conn = conn;
    this.#opts = opts;
    this.#events = events;
    conn.onData((chunk) => this.#onData(chunk));
    conn.onClose(() => this.#shutdown());
    this.#armIdle();
  }

  #armIdle(): void {
    clearTimeout(this.#timer);
    if (!this.#closed) this.#timer = setTimeout(() => this.close(), this.#opts.idleMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#shutdown();
    this.#conn.close();
  }

  #shutdown(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
  }

  #onData(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#in.push(chunk);
    // A client that keeps sending while we stream a response gets a bounded buffer, no more.
    if (this.#busy && this.#in.length > this.#opts.limits.maxHeadBytes * 4) {
      this.close();
      return;
    }
    if (!this.#busy) void this.#drain();
  }

  /** Answers every complete request in the buffer, one after another. */
  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (!this.#closed) {
        let head: RequestHead;
        try {
          const parsed = parseRequestHead(this.#in.view(), this.#opts.limits);
          if (parsed.kind === 'incomplete') break;
          this.#in.take(parsed.consumed);
          head = parsed.head;
        } catch (e) {
          await this.#fail(e, 'BAD', '?');
          return;
        }
        this.#armIdle();
        const keep = await this.#answer(head);
        if (!keep) {
          this.close();
          return;
        }
        this.#armIdle();
      }
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Sends an error response; closes unless keepAlive (the head parsed, so framing is intact)
   * and the request had no unread body (413). Never throws.
   */
  async #fail(e: unknown, method: string, target: string, keepAlive = false, extra: ReadonlyArray<[string, string]> = []): Promise<boolean> {
    const err = isHttpError(e) ? e : new HttpError(400, 'bad request');
    const keep = keepAlive && err.status !== 413;
    const body = new TextEncoder().encode(`${err.message}\n`);
    const headers: Array<[string, string | number]> = [
      ['Server', SERVER],
      ['Date', formatHttpDate(this.#opts.now())],
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', method === 'HEAD' ? 0 : body.length],
      ['Connection', keep ? 'keep-alive' : 'close'],
    ];
    if (err.status === 405) headers.push(['Allow', 'GET, HEAD']);
    headers.push(...extra);
    await this.#send(`HTTP/1.1 ${err.status} ${REASONS[err.status]}`, headers, method === 'HEAD' ? undefined : body);
    this.#events.onResponse?.({ method, target, status: err.status, bodyBytes: 0 });
    if (!keep) this.close();
    return keep;
  }

  async #send(statusLine: string, headers: Iterable<readonly [string, string | number]>, body?: Uint8Array): Promise<void> {
    const head = new TextEncoder().encode(formatHead(statusLine, headers));
    try {
      if (body === undefined || body.length === 0) await this.#conn.write(head, this.#abort.signal);
      else {
        const all = new Uint8Array(head.length + body.length);
        all.set(head);
        all.set(body, head.length);
        await this.#conn.write(all, this.#abort.signal);
      }
    } catch {
      this.close();
    }
  }

  /** Answers one request; returns whether the connection may carry another. */
  async #answer(req: RequestHead): Promise<boolean> {
    const { method, target } = req;
    try {
      const len = contentLength(req.headers);
      // GET and HEAD carry no body; rather than read and discard one, refuse it (and close).
      if (req.headers.has('transfer-encoding') || (len !== undefined && len > 0)) throw new HttpError(413, 'request bodies are not accepted');
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not supported`);
      const t = parseTarget(target);
      const file = await resolveFile(this.#opts.root, t.segments);
      return await this.#serveFile(req, file);
    } catch (e) {
      if (!isHttpError(e)) {
        // A file-system surprise (EIO, EMFILE…): 500 and close, the process lives on.
        await this.#send('HTTP/1.1 500 Internal Server Error', [['Content-Length', 0], ['Connection', 'close']]);
        this.#events.onResponse?.({ method, target, status: 500, bodyBytes: 0 });
        this.close();
        return false;
      }
      return this.#fail(e, method, target, req.keepAlive);
    }
  }

  async #serveFile(req: RequestHead, file: { path: string; size: number; mtimeMs: number }): Promise<boolean> {
    const now = this.#opts.now();
    const base: Array<[string, string | number]> = [
      ['Server', SERVER],
      ['Date', formatHttpDate(now)],
      ['Last-Modified', formatHttpDate(file.mtimeMs)],
      ['Accept-Ranges', 'bytes'],
    ];
    const conn: [string, string] = ['Connection', req.keepAlive ? 'keep-alive' : 'close'];
    if (notModifiedSince(req.headers.get('if-modified-since'), file.mtimeMs, now)) {
      await this.#send('HTTP/1.1 304 Not Modified', [...base, conn]);
      this.#events.onResponse?.({ method: req.method, target: req.target, status: 304, bodyBytes: 0 });
      return req.keepAlive;
    }
    const range = decideRange(req.headers.get('range'), file.size);
    if (range.kind === 'unsatisfiable') {
      return this.#fail(new HttpError(416, `range outside a ${file.size}-byte file`), req.method, req.target, req.keepAlive, [['Content-Range', `bytes */${file.size}`]]);
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const length = range.kind === 'partial' ? range.end - range.start + 1 : file.size;
    const headers: Array<[string, string | number]> = [...base, ['Content-Type', 'application/octet-stream'], ['Content-Length', length]];
    const cr = contentRange(range, file.size);
    if (cr !== undefined) headers.push(['Content-Range', cr]);
    headers.push(conn);
    await this.#send(range.kind === 'partial' ? 'HTTP/1.1 206 Partial Content' : 'HTTP/1.1 200 OK', headers);
    let sent = 0;
    if (req.method === 'GET' && length > 0) sent = await this.#streamBody(file.path, start, length);
    this.#events.onResponse?.({ method: req.method, target: req.target, status: range.kind === 'partial' ? 206 : 200, bodyBytes: sent });
    // A body cut short (file shrank, peer left) leaves the framing broken: close.
    return req.keepAlive && sent === (req.method === 'GET' ? length : 0) && !this.#closed;
  }

  async #streamBody(path: string, start: number, length: number): Promise<number> {
    let sent = 0;
    const fh = await open(path, 'r');
    try {
      while (sent < length && !this.#closed) {
        // A fresh buffer per chunk: the connection may still hold the previous one.
        const buf = new Uint8Array(Math.min(this.#opts.chunkBytes, length - sent));
        const { bytesRead } = await fh.read(buf, 0, buf.length, start + sent);
        if (bytesRead === 0) break;
        await this.#conn.write(buf.subarray(0, bytesRead), this.#abort.signal);
        sent += bytesRead;
        this.#armIdle();
      }
    } catch {
      this.close();
    } finally {
      await fh.close();
    }
    return sent;
  }
}
