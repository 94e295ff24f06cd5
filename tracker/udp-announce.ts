/**
 * UDP tracker client (BEP 15) over src/net: one UdpRpc per address family on a socket bound
 * through the host's throttle, so tracker traffic counts against the host's u_i/d_i like any
 * other. UdpRpc does transaction ids, the 15·2^n s retries, the in-flight cap and AbortSignal;
 * this file does connect → announce/scrape, the tracker name lookup (the RPC matches answers
 * by source address, so names are resolved first) and the connection-id cache.
 *
 * Connection ids are cached per tracker address for at most a minute (BEP 15: a client may
 * use one for 1 minute, a tracker accepts it for 2). The tracker binds ids to our source
 * port, so they are only valid on the socket that connected — one more reason to share one
 * UdpTracker per process rather than a socket per exchange.
 */
import { AbortedError, ClosedError, TimeoutError, TrackerError } from '../src/errors.ts';
import { decodeCompactPeers, ipFamily, parseAddress, type Endpoint } from '../src/naming/endpoint.ts';
import type { Resolver } from '../src/naming/resolver.ts';
import type { HostThrottle } from '../src/net/throttle.ts';
import { bindUdp, type UdpSocket } from '../src/net/udp.ts';
import { UdpRpc, type RequestOptions } from '../src/net/udp-rpc.ts';
import type { Random } from '../src/random.ts';
import { defaultResolver, type AnnounceParams, type AnnounceReply, type ScrapeReply } from './http-announce.ts';
import { udpTrackerCodec, type UdpTrackerRequest, type UdpTrackerResponse } from './udp-rpc-codec.ts';

/** BEP 15's IP field: the IPv4 address to be listed under, 0 for "the sender's". */
export function ipv4Number(ip: string | undefined): number {
  const parts = ip?.split('.').map(Number);
  if (!parts || parts.length !== 4 || parts.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) return 0;
  return parts.reduce((a, b) => a * 256 + b, 0);
}

export interface UdpTrackerDeps {
  throttle?: HostThrottle;
  /** Share the process's resolver so one tracker name costs one lookup. */
  resolver?: Resolver;
  random?: Random;
  /** Clock for the connection-id cache (ms). */
  now?: () => number;
}

export interface UdpTrackerOptions {
  /** First attempt's timeout, doubled per retry; default 15 000 ms (BEP 15). */
  baseTimeoutMs?: number;
  /** Sends per step; default 9 (BEP 15's n = 0..8). */
  attempts?: number;
  /** How long a connection id is reused; default 60 000 ms (BEP 15). */
  connectionTtlMs?: number;
  /** Local addresses to bind; defaults '0.0.0.0' and '::'. */
  bindHost4?: string;
  bindHost6?: string;
  maxInFlight?: number;
}

export interface UdpExchangeOptions {
  signal?: AbortSignal;
  /** Override the tracker-wide retry schedule for this call. */
  timeoutMs?: number;
  attempts?: number;
}

type Rpc = UdpRpc<UdpTrackerRequest, UdpTrackerResponse>;

export interface UdpTrackerStats {
  connects: number;
  /** Cached ids the tracker refused, after which we reconnected once. */
  reconnects: number;
}

export function udpTrackerEndpoint(url: string): Endpoint {
  const a = parseAddress(url);
  if (a.scheme !== 'udp') throw new TrackerError(`not a udp:// tracker URL: ${url}`);
  return a.endpoint;
}

export class UdpTracker {
  readonly stats: UdpTrackerStats = { connects: 0, reconnects: 0 };
  private readonly resolver: Resolver;
  private readonly now: () => number;
  private readonly o: Required<UdpTrackerOptions>;
  private readonly rpcs = new Map<4 | 6, Promise<Rpc>>();
  private readonly ids = new Map<string, { id: bigint; at: number }>();
  /** Connects in flight: concurrent exchanges with one tracker share a single connect. */
  private readonly connecting = new Map<string, Promise<bigint>>();
  private closed = false;

  constructor(
    private readonly deps: UdpTrackerDeps = {},
    options: UdpTrackerOptions = {},
  ) {
    this.resolver = deps.resolver ?? defaultResolver();
    this.now = deps.now ?? Date.now;
    this.o = { baseTimeoutMs: 15_000, attempts: 9, connectionTtlMs: 60_000, bindHost4: '0.0.0.0', bindHost6: '::', maxInFlight: 64, ...options };
  }

  /** The bound sockets (for tests and accounting); empty until the first exchange. */
  async sockets(): Promise<UdpSocket[]> {
    return Promise.all([...this.rpcs.values()].map(async (r) => (await r).socket));
  }

  async announce(url: string, p: AnnounceParams, o: UdpExchangeOptions = {}): Promise<AnnounceReply> {
    const { to, rpc } = await this.target(url, o.signal);
    const r = await this.exchange(to, rpc, o, (connectionId) => ({
      action: 'announce', connectionId, infoHash: p.infoHash, peerId: p.peerId, downloaded: p.downloaded, left: p.left, uploaded: p.uploaded, event: p.event, ip: ipv4Number(p.ip), key: p.key, numwant: p.numwant, port: p.port,
    }));
    if (r.action !== 'announce') throw new TrackerError(`udp tracker answered announce with ${r.action}`);
    const family = ipFamily(to.host) === 6 ? 6 : 4;
    const stride = family === 6 ? 18 : 6;
    const peers = decodeCompactPeers(r.peers.subarray(0, r.peers.length - (r.peers.length % stride)), family).filter((e) => e.port > 0);
    return { interval: r.interval, minInterval: undefined, complete: r.seeders, incomplete: r.leechers, peers, warning: undefined };
  }

  async scrape(url: string, infoHash: Uint8Array, o: UdpExchangeOptions = {}): Promise<ScrapeReply> {
    const { to, rpc } = await this.target(url, o.signal);
    const r = await this.exchange(to, rpc, o, (connectionId) => ({ action: 'scrape', connectionId, infoHashes: [infoHash] }));
    const c = r.action === 'scrape' ? r.counts[0] : undefined;
    if (!c) throw new TrackerError(`udp tracker answered scrape with ${r.action === 'scrape' ? 'no counts' : r.action}`);
    return { complete: c.seeders, incomplete: c.leechers, downloaded: c.completed };
  }

  /** Rejects whatever is in flight with ClosedError and closes the sockets. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.rpcs.values()) {
      void p.then(
        (rpc) => {
          rpc.close();
          rpc.socket.close();
        },
        () => undefined,
      );
    }
    this.rpcs.clear();
    this.ids.clear();
  }

  private async target(url: string, signal: AbortSignal | undefined): Promise<{ to: Endpoint; rpc: Rpc }> {
    const ep = udpTrackerEndpoint(url);
    const to = await this.resolver.resolveEndpoint(ep, signal ? { signal } : {});
    return { to, rpc: await this.rpcFor(ipFamily(to.host) === 6 ? 6 : 4) };
  }

  private rpcFor(family: 4 | 6): Promise<Rpc> {
    if (this.closed) return Promise.reject(new ClosedError('udp tracker client closed'));
    let p = this.rpcs.get(family);
    if (!p) {
      const host = family === 6 ? this.o.bindHost6 : this.o.bindHost4;
      p = bindUdp({ host, ...(this.deps.throttle ? { throttle: this.deps.throttle } : {}) }).then((socket) => {
        socket.on('error', () => undefined); // ICMP unreachable and the like: the RPC times out instead
        return new UdpRpc({ socket, codec: udpTrackerCodec, baseTimeoutMs: this.o.baseTimeoutMs, attempts: this.o.attempts, maxInFlight: this.o.maxInFlight, ...(this.deps.random ? { random: this.deps.random } : {}) });
      });
      this.rpcs.set(family, p);
      p.catch(() => this.rpcs.delete(family));
    }
    return p;
  }

  /**
   * connect (or a cached id) → the request. An error answer to a cached id may just mean the
   * id expired on the tracker's side: forget it and go once more with a fresh one.
   */
  private async exchange(to: Endpoint, rpc: Rpc, o: UdpExchangeOptions, make: (cid: bigint) => UdpTrackerRequest): Promise<UdpTrackerResponse> {
    const ro: RequestOptions = { baseTimeoutMs: o.timeoutMs ?? this.o.baseTimeoutMs, attempts: o.attempts ?? this.o.attempts, ...(o.signal ? { signal: o.signal } : {}) };
    const key = `${to.host}|${to.port}`;
    for (let round = 0; ; round++) {
      const cached = this.ids.get(key);
      const fresh = !cached || this.now() - cached.at >= this.o.connectionTtlMs;
      const id = fresh ? await this.sharedConnect(to, rpc, ro, key) : cached.id;
      let r: UdpTrackerResponse;
      try {
        r = await rpc.request(to, make(id), ro);
      } catch (e) {
        this.ids.delete(key); // a silent tracker may have restarted: reconnect next time
        throw e instanceof TimeoutError ? new TimeoutError(`udp tracker ${to.host}:${to.port} did not answer the ${make(id).action} request`) : e;
      }
      if (r.action !== 'error') return r;
      this.ids.delete(key);
      if (fresh || round > 0) throw new TrackerError(`tracker says: ${r.message}`);
      this.stats.reconnects++;
    }
  }

  private sharedConnect(to: Endpoint, rpc: Rpc, ro: RequestOptions, key: string): Promise<bigint> {
    let p = this.connecting.get(key);
    if (!p) {
      // Not tied to one caller's signal: another exchange may be waiting on the same connect.
      const { signal: _caller, ...shared } = ro;
      p = this.connect(to, rpc, shared, key).finally(() => this.connecting.delete(key));
      this.connecting.set(key, p);
    }
    return ro.signal ? abortable(p, ro.signal) : p;
  }

  private async connect(to: Endpoint, rpc: Rpc, ro: RequestOptions, key: string): Promise<bigint> {
    this.stats.connects++;
    let r: UdpTrackerResponse;
    try {
      r = await rpc.request(to, { action: 'connect' }, ro);
    } catch (e) {
      throw e instanceof TimeoutError ? new TimeoutError(`udp tracker ${to.host}:${to.port} did not answer the connect request`) : e;
    }
    if (r.action === 'error') throw new TrackerError(`tracker says: ${r.message}`);
    if (r.action !== 'connect') throw new TrackerError(`udp tracker answered connect with ${r.action}`);
    this.ids.set(key, { id: r.connectionId, at: this.now() });
    return r.connectionId;
  }
}

/** Waits for a shared promise, giving up (for this caller only) when its signal aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError('udp tracker request aborted', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError('udp tracker request aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** One exchange on a short-lived UdpTracker (tools and tests; a client process shares one). */
async function oneShot<T>(deps: UdpTrackerDeps, o: UdpExchangeOptions, run: (t: UdpTracker) => Promise<T>): Promise<T> {
  const t = new UdpTracker(deps, { baseTimeoutMs: o.timeoutMs ?? 3000, attempts: o.attempts ?? 3 });
  try {
    return await run(t);
  } finally {
    t.close();
  }
}

export function udpAnnounce(url: string, p: AnnounceParams, o: UdpExchangeOptions = {}, deps: UdpTrackerDeps = {}): Promise<AnnounceReply> {
  return oneShot(deps, o, (t) => t.announce(url, p, o));
}

export function udpScrape(url: string, infoHash: Uint8Array, o: UdpExchangeOptions = {}, deps: UdpTrackerDeps = {}): Promise<ScrapeReply> {
  return oneShot(deps, o, (t) => t.scrape(url, infoHash, o));
}
