/**
 * Request/response over one UDP socket, both directions at once (the DHT both asks and
 * answers; the UDP tracker client only asks, the server only answers).
 *
 * - Transaction ids: random uint32, unique among requests in flight.
 * - Retries with exponential backoff: attempt n waits baseTimeoutMs·2^n (BEP 15: 15 s·2^n,
 *   n = 0..8), re-sending the same tid so a late answer to an earlier attempt still counts.
 *   TimeoutError after the last attempt.
 * - A response is accepted only if its tid is in flight AND it comes from the address the
 *   request went to (so `to.host` must be an IP literal: resolve names first).
 * - In-flight cap: beyond maxInFlight, requests wait in a FIFO queue; beyond maxQueued waiting,
 *   request() rejects with BusyError at once.
 * - Garbage (undecodable datagrams, codec throws) is counted in stats and ignored, never thrown.
 */
import { AbortedError, BusyError, ClosedError, TimeoutError } from '../errors.ts';
import { sameEndpoint, type Endpoint } from '../naming/endpoint.ts';
import { cryptoRandom, type Random } from '../random.ts';
import type { UdpSocket } from './udp.ts';

export type Decoded<Req, Res> =
  | { kind: 'request'; tid: number; message: Req }
  | { kind: 'response'; tid: number; message: Res };

export interface RpcCodec<Req, Res> {
  encodeRequest(tid: number, req: Req): Uint8Array;
  encodeResponse(tid: number, res: Res): Uint8Array;
  /** undefined (or a throw) for anything that is not a well-formed message. */
  decode(buf: Uint8Array): Decoded<Req, Res> | undefined;
}

/** Returns the response to send, or undefined to stay silent. May be async. */
export type RpcHandler<Req, Res> = (req: Req, from: Endpoint) => Res | undefined | Promise<Res | undefined>;

export interface UdpRpcOptions<Req, Res> {
  socket: UdpSocket;
  codec: RpcCodec<Req, Res>;
  handler?: RpcHandler<Req, Res>;
  /** First attempt's timeout; default 15 000 ms (BEP 15). */
  baseTimeoutMs?: number;
  /** Total sends per request; default 9 (BEP 15's n = 0..8). */
  attempts?: number;
  /** Default 64. */
  maxInFlight?: number;
  /** Requests allowed to wait for a slot; default 1024. */
  maxQueued?: number;
  random?: Random;
}

export interface RequestOptions {
  signal?: AbortSignal;
  baseTimeoutMs?: number;
  attempts?: number;
}

export interface RpcStats {
  sent: number;
  retries: number;
  timeouts: number;
  /** Datagrams the codec could not decode. */
  garbage: number;
  /** Responses with an unknown tid or from the wrong address; requests with no handler. */
  unmatched: number;
  handled: number;
  handlerErrors: number;
}

interface Pending<Req, Res> {
  to: Endpoint;
  req: Req;
  tid: number;
  attempt: number;
  baseMs: number;
  attempts: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve: (r: Res) => void;
  reject: (e: unknown) => void;
}

export class UdpRpc<Req, Res> {
  readonly socket: UdpSocket;
  readonly stats: RpcStats = { sent: 0, retries: 0, timeouts: 0, garbage: 0, unmatched: 0, handled: 0, handlerErrors: 0 };
  private readonly codec: RpcCodec<Req, Res>;
  private readonly handler: RpcHandler<Req, Res> | undefined;
  private readonly baseMs: number;
  private readonly attempts: number;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly random: Random;
  private readonly pending = new Map<number, Pending<Req, Res>>();
  private readonly waiting: Pending<Req, Res>[] = [];
  private readonly onMessage: (buf: Uint8Array, from: Endpoint) => void;
  private isClosed = false;

  constructor(o: UdpRpcOptions<Req, Res>) {
    this.socket = o.socket;
    this.codec = o.codec;
    this.handler = o.handler;
    this.baseMs = o.baseTimeoutMs ?? 15_000;
    this.attempts = o.attempts ?? 9;
    this.maxInFlight = o.maxInFlight ?? 64;
    this.maxQueued = o.maxQueued ?? 1024;
    this.random = o.random ?? cryptoRandom;
    this.onMessage = (buf, from) => this.receive(buf, from);
    this.socket.on('message', this.onMessage);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Send a request and await its response. TimeoutError / AbortedError / BusyError / ClosedError. */
  request(to: Endpoint, req: Req, o: RequestOptions = {}): Promise<Res> {
    if (this.isClosed) return Promise.reject(new ClosedError('RPC closed'));
    if (o.signal?.aborted) return Promise.reject(new AbortedError('request aborted', { cause: o.signal.reason }));
    if (this.pending.size >= this.maxInFlight && this.waiting.length >= this.maxQueued) {
      return Promise.reject(new BusyError(`${this.pending.size} requests in flight and ${this.waiting.length} queued`));
    }
    return new Promise<Res>((resolve, reject) => {
      const p: Pending<Req, Res> = {
        to,
        req,
        tid: -1,
        attempt: 0,
        baseMs: o.baseTimeoutMs ?? this.baseMs,
        attempts: Math.max(1, o.attempts ?? this.attempts),
        signal: o.signal,
        onAbort: undefined,
        timer: undefined,
        resolve,
        reject,
      };
      if (o.signal) {
        p.onAbort = () => this.settle(p, new AbortedError('request aborted', { cause: o.signal?.reason }));
        o.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      if (this.pending.size < this.maxInFlight) this.start(p);
      else this.waiting.push(p);
    });
  }

  /** Reject everything pending with ClosedError and stop listening. The socket is not closed. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.socket.off('message', this.onMessage);
    for (const p of [...this.waiting, ...this.pending.values()]) this.settle(p, new ClosedError('RPC closed'));
  }

  private start(p: Pending<Req, Res>): void {
    let tid: number;
    do tid = this.random.int(0x1_0000_0000);
    while (this.pending.has(tid));
    p.tid = tid;
    this.pending.set(tid, p);
    this.send(p);
  }

  private send(p: Pending<Req, Res>): void {
    let buf: Uint8Array;
    try {
      buf = this.codec.encodeRequest(p.tid, p.req);
    } catch (e) {
      this.settle(p, e);
      return;
    }
    this.stats.sent++;
    // The timer starts now, not after the throttle grants the send: a congested host's
    // requests time out like a congested link's would.
    p.timer = setTimeout(() => this.onTimeout(p), p.baseMs * 2 ** p.attempt);
    this.socket.send(buf, p.to, p.signal).catch((e: unknown) => this.settle(p, e));
  }

  private onTimeout(p: Pending<Req, Res>): void {
    p.timer = undefined;
    p.attempt++;
    if (p.attempt >= p.attempts) {
      this.stats.timeouts++;
      this.settle(p, new TimeoutError(`no answer from ${p.to.host}:${p.to.port} after ${p.attempts} attempt(s)`));
      return;
    }
    this.stats.retries++;
    this.send(p);
  }

  /** Finish a request either way (idempotent), free its slot and start the next queued one. */
  private settle(p: Pending<Req, Res>, err: unknown, res?: Res): void {
    const wasPending = p.tid >= 0 && this.pending.get(p.tid) === p;
    const qi = this.waiting.indexOf(p);
    if (!wasPending && qi < 0) return;
    if (wasPending) this.pending.delete(p.tid);
    if (qi >= 0) this.waiting.splice(qi, 1);
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
    if (err === undefined) p.resolve(res as Res);
    else p.reject(err);
    while (!this.isClosed && this.pending.size < this.maxInFlight && this.waiting.length > 0) {
      this.start(this.waiting.shift() as Pending<Req, Res>);
    }
  }

  private receive(buf: Uint8Array, from: Endpoint): void {
    let d: Decoded<Req, Res> | undefined;
    try {
      d = this.codec.decode(buf);
    } catch {
      d = undefined;
    }
    if (!d) {
      this.stats.garbage++;
      return;
    }
    if (d.kind === 'response') {
      const p = this.pending.get(d.tid);
      if (!p || !sameEndpoint(p.to, from)) {
        this.stats.unmatched++;
        return;
      }
      this.settle(p, undefined, d.message);
      return;
    }
    if (!this.handler) {
      this.stats.unmatched++;
      return;
    }
    void this.answer(d.tid, d.message, from);
  }

  private async answer(tid: number, req: Req, from: Endpoint): Promise<void> {
    try {
      const res = await (this.handler as RpcHandler<Req, Res>)(req, from);
      this.stats.handled++;
      if (res === undefined || this.isClosed) return;
      await this.socket.send(this.codec.encodeResponse(tid, res), from);
    } catch {
      // A handler or send failure affects this one exchange only.
      this.stats.handlerErrors++;
    }
  }
}
