/**
 * The lab's leechers, hosted: each peer is a ringswarm Client behind its own HostThrottle (its
 * emulated link), brought online and offline on command, reporting verified pieces and its
 * completion. runP2P keeps one LocalPeerHost in its own process, or spreads peers over worker
 * processes that each run one (peer-host-worker.ts) so a big swarm uses both cores.
 */
import type { Metainfo } from '../codec/metainfo.ts';
import type { PeerSource } from '../peer-source.ts';
import { Client, type ClientOptions } from '../../peer/session/client.ts';
import type { Torrent } from '../../peer/session/torrent.ts';
import { hostThrottle, type HostThrottle } from '../net/throttle.ts';
import { seededRandom } from '../random.ts';
import type { PeerPlan } from './plan.ts';

/** Cumulative figures of one hosted peer over all its sessions. */
export interface PeerCounters {
  readonly up: number;
  readonly down: number;
  readonly wasted: number;
  /** Bytes its upload throttle granted (payload and protocol: the utilisation figure). */
  readonly granted: number;
  /** Open connections now. */
  readonly peers: number;
}

export interface PeerHostEvents {
  verified(index: number, piece: number): void;
  done(index: number): void;
}

/** What runP2P needs of a host, local or in a worker process. */
export interface PeerHost {
  online(index: number): Promise<void>;
  offline(index: number): Promise<void>;
  counters(index: number): PeerCounters;
  /** Makes `counters` current (a worker's are pushed every 100 ms; the final figures need now). */
  refresh(): Promise<void>;
  /** The live torrent of a peer hosted in this process (the demo's TUI), else undefined. */
  torrent(index: number): Torrent | undefined;
  stop(): Promise<void>;
}

export interface HostedPeer {
  readonly plan: PeerPlan;
  readonly dir: string;
  /**
   * Kernel shaping: the peer's own loopback address (it listens, dials and is announced there)
   * and no in-process throttle — tc limits it by that address.
   */
  readonly address?: string;
}

export interface LocalPeerHostConfig {
  readonly metainfo: Metainfo;
  readonly common: ClientOptions;
  readonly useTracker: boolean;
  /** The scenario's seed (each client's randomness derives from it). */
  readonly seed: number;
  readonly peers: readonly HostedPeer[];
  /** Extra peer sources for a client (the lab's DHT polling), if any. */
  readonly sources?: (client: Client, index: number) => PeerSource[];
}

/**
 * Client options for a kernel-shaped host: it listens, dials and is announced at `address`, and
 * its send queues are sized to its link rate `up` (tc enforces it; 0 = a free rider, no link).
 */
export function hostAt(address: string, up: number): Pick<ClientOptions, 'host' | 'localAddress' | 'announceIp' | 'linkUpRate'> {
  return { host: address, localAddress: address, announceIp: address, ...(up > 0 ? { linkUpRate: up } : {}) };
}

interface Hosted {
  readonly plan: PeerPlan;
  readonly dir: string;
  readonly address: string | undefined;
  readonly throttle: HostThrottle;
  client: Client | undefined;
  torrent: Torrent | undefined;
  sessions: number;
  base: { up: number; down: number; wasted: number };
}

export class LocalPeerHost implements PeerHost {
  private readonly c: LocalPeerHostConfig;
  private readonly events: PeerHostEvents;
  private readonly hosted = new Map<number, Hosted>();
  private stopped = false;

  constructor(config: LocalPeerHostConfig, events: PeerHostEvents) {
    this.c = config;
    this.events = events;
    for (const { plan, dir, address } of config.peers) {
      // A free rider still sends requests and HAVEs; the client refuses to send it payload.
      const throttle = address !== undefined ? hostThrottle() : hostThrottle({ up: plan.freeRider ? Infinity : plan.up, down: plan.down });
      this.hosted.set(plan.index, { plan, dir, address, throttle, client: undefined, torrent: undefined, sessions: 0, base: { up: 0, down: 0, wasted: 0 } });
    }
  }

  async online(index: number): Promise<void> {
    const h = this.get(index);
    if (this.stopped || h.client) return;
    const { metainfo, common, seed } = this.c;
    const at = h.address !== undefined ? hostAt(h.address, h.plan.freeRider ? 0 : h.plan.up) : {};
    const client = new Client({ ...common, ...at, throttle: h.throttle, freeRider: h.plan.freeRider, random: seededRandom(seed * 1000 + index * 7 + h.sessions) });
    h.client = client;
    const rejoin = h.sessions++ > 0;
    let t: Torrent;
    try {
      await client.start();
      if (h.client !== client) return; // went offline meanwhile
      t = await client.add(metainfo, { downloadDir: h.dir, trackers: this.c.useTracker, sources: this.c.sources?.(client, index) ?? [], recheck: rejoin });
    } catch (e) {
      if (!this.stopped && h.client === client) throw e;
      return; // stopped or taken offline while starting: not a failure
    }
    if (h.client !== client) return;
    h.torrent = t;
    t.on('verified', (piece: number) => this.events.verified(index, piece));
    t.on('error', () => undefined);
    if (t.done) {
      for (let k = 0; k < metainfo.pieceCount; k++) this.events.verified(index, k);
      this.events.done(index);
    } else t.once('done', () => this.events.done(index));
  }

  async offline(index: number): Promise<void> {
    const h = this.get(index);
    const { client, torrent } = h;
    if (torrent) {
      const st = torrent.stats();
      h.base = { up: h.base.up + st.uploaded, down: h.base.down + st.downloaded, wasted: h.base.wasted + st.wasted };
    }
    h.client = undefined;
    h.torrent = undefined;
    await client?.stop().catch(() => undefined);
  }

  counters(index: number): PeerCounters {
    const h = this.get(index);
    const st = h.torrent?.stats();
    return {
      up: h.base.up + (st?.uploaded ?? 0),
      down: h.base.down + (st?.downloaded ?? 0),
      wasted: h.base.wasted + (st?.wasted ?? 0),
      granted: h.throttle.up.granted,
      peers: st?.peers ?? 0,
    };
  }

  async refresh(): Promise<void> {
    // Counters are read live here.
  }

  torrent(index: number): Torrent | undefined {
    return this.hosted.get(index)?.torrent;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.hosted.keys()].map((i) => this.offline(i)));
  }

  private get(index: number): Hosted {
    const h = this.hosted.get(index);
    if (!h) throw new RangeError(`peer ${index} is not hosted here`);
    return h;
  }
}
