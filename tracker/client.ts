/**
 * The tracker client: a PeerSource over HTTP and UDP trackers with BEP 12 announce-list tiers.
 * Tiers are tried in order; within a tier the URLs are shuffled once and the one that answers
 * is promoted to the front. Re-announces follow the tracker's interval; when every tracker
 * fails, retries back off exponentially (with jitter) and a `warning` carries the reason —
 * for a `failure reason`, the tracker's own words.
 */
import { EventEmitter } from 'node:events';
import { isRingswarmError, TrackerError } from '../src/errors.ts';
import type { PeerSource, PeerSourceEvents, TransferStats } from '../src/peer-source.ts';
import { cryptoRandom, shuffled, type Random } from '../src/random.ts';
import type { Resolver } from '../src/naming/resolver.ts';
import type { HostThrottle } from '../src/net/throttle.ts';
import { httpAnnounce, httpScrape, type AnnounceParams, type AnnounceReply, type HttpTrackerDeps, type ScrapeReply } from './http-announce.ts';
import type { AnnounceEvent } from './swarm.ts';
import { udpScrape, UdpTracker } from './udp-announce.ts';

export interface TrackerClientDeps {
  /** Read at each announce: what we report as uploaded/downloaded/left. */
  stats: () => TransferStats;
  random?: Random;
  /** The host's throttle: tracker traffic (HTTP and UDP) draws on it too. */
  throttle?: HostThrottle;
  /** The process's resolver (default: one shared per process). */
  resolver?: Resolver;
  /**
   * A UDP tracker client shared by every torrent of the process (one socket, one
   * connection-id cache). Without it the client opens its own on start and closes it on stop.
   */
  udp?: UdpTracker;
}

export interface TrackerClientOptions {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  /** Our listening port, as announced. */
  port: number;
  /** BEP 12 tiers; a torrent with only `announce` is one tier of one URL. */
  announceList: readonly (readonly string[])[];
  numwant?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request limit for HTTP; UDP uses its own doubling retries from udpTimeoutMs. */
  requestTimeoutMs?: number;
  /** BEP 15's first timeout (default 15 000 ms), doubled on each retry. */
  udpTimeoutMs?: number;
  /**
   * Sends per UDP step before the next tracker of the tier is tried (default 3: 15+30+60 s).
   * BEP 15's full 9 would hold a tier for over two hours; the client's back-off takes over.
   */
  udpAttempts?: number;
  /** Floor on the re-announce delay (ms), whatever interval a tracker asks for. */
  minIntervalMs?: number;
  /** The address to be listed under (sent as BEP 3 `ip`; BEP 15's IP field). */
  ip?: string;
}

export interface TrackerClientEvents extends PeerSourceEvents {
  announced: [info: { url: string; event: AnnounceEvent; reply: AnnounceReply }];
}

export class TrackerClient extends EventEmitter<TrackerClientEvents> implements PeerSource {
  readonly name = 'tracker';
  private readonly tiers: string[][];
  private readonly o: Required<Omit<TrackerClientOptions, 'announceList' | 'ip'>> & Pick<TrackerClientOptions, 'ip'>;
  private readonly random: Random;
  private readonly key: number;
  private timer: NodeJS.Timeout | undefined;
  private ac: AbortController | undefined;
  private running = false;
  private announcedOk = false;
  private pendingEvent: AnnounceEvent = 'started';
  private failures = 0;
  private busy: Promise<void> = Promise.resolve();
  /** The URL that last answered (where `stopped` goes). */
  private working: string | undefined;
  /** Our own UDP tracker client when none was injected; open between start and stop. */
  private ownUdp: UdpTracker | undefined;

  constructor(
    private readonly deps: TrackerClientDeps,
    options: TrackerClientOptions,
  ) {
    super();
    this.random = deps.random ?? cryptoRandom;
    this.tiers = options.announceList.map((t) => shuffled(t, this.random)).filter((t) => t.length > 0);
    if (this.tiers.length === 0) throw new TrackerError('no tracker URLs');
    this.o = { numwant: 50, minBackoffMs: 15_000, maxBackoffMs: 30 * 60_000, requestTimeoutMs: 15_000, udpTimeoutMs: 15_000, udpAttempts: 3, minIntervalMs: 0, ...options };
    this.key = this.random.int(2 ** 31);
  }

  /** Tiers in their current order (shuffled, working trackers first). */
  get trackers(): string[][] {
    return this.tiers.map((t) => [...t]);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.deps.udp) this.ownUdp = new UdpTracker(this.netDeps(), this.udpOptions());
    this.ac = new AbortController();
    this.schedule(0);
  }

  completed(): void {
    if (!this.running) return;
    // Before any successful `started`, the next announce already reports left=0.
    if (this.announcedOk) this.pendingEvent = 'completed';
    this.schedule(0);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.ac?.abort();
    await this.busy;
    if (this.announcedOk && this.working) {
      // Best effort goodbye; a dead tracker must not hold up shutdown.
      await this.send(this.working, 'stopped', AbortSignal.timeout(2000)).catch(() => undefined);
    }
    this.ownUdp?.close();
    this.ownUdp = undefined;
  }

  /** Scrape the tracker currently preferred (the front of the first tier, or the working one). */
  scrape(signal?: AbortSignal): Promise<ScrapeReply> {
    const url = this.working ?? (this.tiers[0]?.[0] as string);
    if (!url.startsWith('udp:')) return httpScrape(url, this.o.infoHash, signal, this.httpDeps());
    const udp = this.udp();
    const o = { signal, timeoutMs: this.o.udpTimeoutMs, attempts: this.o.udpAttempts };
    // Not running: no socket of ours is open, so use a short-lived one.
    return udp ? udp.scrape(url, this.o.infoHash, o) : udpScrape(url, this.o.infoHash, o, this.netDeps());
  }

  private udp(): UdpTracker | undefined {
    return this.deps.udp ?? this.ownUdp;
  }

  private netDeps(): { throttle?: HostThrottle; resolver?: Resolver; random?: Random } {
    const { throttle, resolver, random } = this.deps;
    return { ...(throttle ? { throttle } : {}), ...(resolver ? { resolver } : {}), ...(random ? { random } : {}) };
  }

  private udpOptions(): { baseTimeoutMs: number; attempts: number } {
    return { baseTimeoutMs: this.o.udpTimeoutMs, attempts: this.o.udpAttempts };
  }

  private httpDeps(): HttpTrackerDeps {
    return { ...this.netDeps(), timeoutMs: this.o.requestTimeoutMs };
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.busy = this.busy.then(() => this.tick());
    }, ms);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const event = this.pendingEvent;
    try {
      const { url, reply } = await this.announceTiers(event);
      this.announcedOk = true;
      this.working = url;
      this.failures = 0;
      if (this.pendingEvent === event) this.pendingEvent = 'none';
      if (reply.warning) this.emit('warning', new TrackerError(`tracker warning: ${reply.warning}`));
      this.emit('announced', { url, event, reply });
      if (reply.peers.length > 0) this.emit('peers', reply.peers);
      const secs = Math.max(reply.interval, reply.minInterval ?? 0, 1);
      this.schedule(Math.max(secs * 1000, this.o.minIntervalMs));
    } catch (e) {
      if (!this.running) return;
      this.failures++;
      this.emit('warning', e instanceof Error ? e : new TrackerError(String(e)));
      const backoff = Math.min(this.o.maxBackoffMs, this.o.minBackoffMs * 2 ** (this.failures - 1));
      this.schedule(backoff / 2 + this.random.int(Math.max(1, Math.floor(backoff / 2))));
    }
  }

  /** BEP 12: first tier first; inside a tier, promote the URL that answers. */
  private async announceTiers(event: AnnounceEvent): Promise<{ url: string; reply: AnnounceReply }> {
    let last: unknown;
    for (const tier of this.tiers) {
      for (let i = 0; i < tier.length; i++) {
        const url = tier[i] as string;
        try {
          const reply = await this.send(url, event, this.ac?.signal);
          tier.splice(i, 1);
          tier.unshift(url);
          return { url, reply };
        } catch (e) {
          if (!this.running) throw e;
          last = e;
        }
      }
    }
    throw isRingswarmError(last) ? last : new TrackerError('every tracker failed', { cause: last });
  }

  private send(url: string, event: AnnounceEvent, signal: AbortSignal | undefined): Promise<AnnounceReply> {
    const s = this.deps.stats();
    const p: AnnounceParams = { infoHash: this.o.infoHash, peerId: this.o.peerId, port: this.o.port, uploaded: s.uploaded, downloaded: s.downloaded, left: s.left, event, numwant: event === 'stopped' ? 0 : this.o.numwant, key: this.key, ...(this.o.ip !== undefined ? { ip: this.o.ip } : {}) };
    if (url.startsWith('udp:')) {
      const udp = this.udp();
      if (!udp) return Promise.reject(new TrackerError('tracker client is not running'));
      return udp.announce(url, p, { ...(signal ? { signal } : {}), timeoutMs: this.o.udpTimeoutMs, attempts: this.o.udpAttempts });
    }
    if (!/^https?:/.test(url)) return Promise.reject(new TrackerError(`unsupported tracker URL: ${url}`));
    return httpAnnounce(url, p, signal, this.httpDeps());
  }
}
