/**
 * The tracker service: HTTP and UDP front ends on the same port number, the swarm table, and
 * (with a db dir) level persistence restored on start. start()/stop() are idempotent; stop()
 * closes the sockets first, then waits for the last batch to reach the store.
 */
import type { HostThrottle } from '../src/net/throttle.ts';
import { cryptoRandom, type Random } from '../src/random.ts';
import { ConnectionIds } from './connection-id.ts';
import { TrackerCore } from './core.ts';
import { HttpFront, type HttpFrontOptions } from './http-server.ts';
import { TrackerStore } from './store.ts';
import { SwarmTable, swarmOptionsFor } from './swarm.ts';
import { UdpFront } from './udp-server.ts';

export interface TrackerServerOptions {
  host: string;
  /** 0 picks a free port for HTTP and then binds UDP to the same number. */
  port: number;
  /** Directory for the level db; undefined = in memory only. */
  dbDir: string | undefined;
  /** Announce interval in seconds. */
  interval: number;
  http: Partial<HttpFrontOptions>;
  /** How often silent peers are expired (ms). */
  pruneEveryMs: number;
}

export interface TrackerServerDeps {
  random?: Random;
  now?: () => number;
  /** The tracker host's up/down caps (the lab's emulated tracker host), for UDP and HTTP alike. */
  throttle?: HostThrottle;
}

export class TrackerServer {
  readonly options: TrackerServerOptions;
  readonly table: SwarmTable;
  private store: TrackerStore | undefined;
  private http: HttpFront | undefined;
  private udp: UdpFront | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private boundPort = 0;
  private readonly now: () => number;
  private readonly throttle: HostThrottle | undefined;
  private core: TrackerCore | undefined;

  constructor(deps: TrackerServerDeps = {}, options: Partial<TrackerServerOptions> = {}) {
    this.options = { host: '127.0.0.1', port: 6969, dbDir: undefined, interval: 1800, http: {}, pruneEveryMs: 60_000, ...options };
    this.now = deps.now ?? Date.now;
    this.throttle = deps.throttle;
    this.table = new SwarmTable(deps.random ?? cryptoRandom, swarmOptionsFor(this.options.interval));
  }

  /** Announces served since start, in total and per infohash (hex). */
  get announces(): TrackerCore['announces'] {
    return this.core?.announces ?? { total: 0, byInfoHash: new Map() };
  }

  get port(): number {
    return this.boundPort;
  }

  /** http://host:port/announce and udp://host:port, with IPv6 hosts bracketed. */
  get announceUrls(): { http: string; udp: string } {
    const h = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return { http: `http://${h}:${this.boundPort}/announce`, udp: `udp://${h}:${this.boundPort}` };
  }

  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.options.dbDir) {
      this.store = new TrackerStore(this.options.dbDir);
      await this.store.open();
      this.table.restore(await this.store.load(), this.now());
    }
    const core = new TrackerCore(this.table, this.store, this.now);
    this.core = core;
    this.http = new HttpFront(core, this.options.http, this.throttle);
    this.udp = new UdpFront(core, new ConnectionIds(), this.throttle);
    // With port 0 the UDP bind can collide with a port some other process holds for UDP;
    // retry a few times with a fresh HTTP port.
    for (let attempt = 0; ; attempt++) {
      const port = await this.http.listen(this.options.port, this.options.host);
      try {
        await this.udp.listen(port, this.options.host);
        this.boundPort = port;
        break;
      } catch (e) {
        await this.http.close();
        this.http = new HttpFront(core, this.options.http, this.throttle);
        if (this.options.port !== 0 || attempt >= 5) throw e;
      }
    }
    this.pruneTimer = setInterval(() => void core.prune().catch(() => undefined), this.options.pruneEveryMs);
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    this.starting = undefined;
    clearInterval(this.pruneTimer);
    await Promise.all([this.http?.close(), this.udp?.close()]);
    this.http = this.udp = undefined;
    await this.store?.close();
    this.store = undefined;
  }
}
