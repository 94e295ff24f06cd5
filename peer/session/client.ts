/**
 * The peer client: one listening port serving many torrents (the handshake's infohash picks
 * the torrent), the host throttle shared by every socket, client-wide connection limits, the
 * level database for resume data, and the snapshot the TUI reads.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { networkInterfaces } from 'node:os';
import { Level } from 'level';
import type { ChokerOptions } from '../core/choker.ts';
import { ExtensionRegistry } from '../wire/extension.ts';
import { generatePeerId } from '../wire/peer-id.ts';
import { Wire } from '../wire/wire.ts';
import { ConfigError } from '../../src/errors.ts';
import type { Metainfo } from '../../src/codec/metainfo.ts';
import type { SnapshotBody } from '../../src/control/snapshot.ts';
import { formatEndpoint, unmapIPv4, type Endpoint } from '../../src/naming/endpoint.ts';
import { UNLIMITED, type HostThrottle } from '../../src/net/throttle.ts';
import { Connection, dial, toNetworkError } from '../../src/net/transport.ts';
import { cryptoRandom, type Random } from '../../src/random.ts';
import type { ResumeDb } from '../../src/store/resume.ts';
import { connectionThrottle } from './chained-throttle.ts';
import { WriteWatch } from './peer-connection.ts';
import { Torrent } from './torrent.ts';
import type { AddOptions } from './torrent-types.ts';

export interface ClientOptions {
  /** Listen address; default '127.0.0.1' here (the CLI passes '0.0.0.0'). */
  host?: string;
  /** 0 = any. */
  port?: number;
  /** Level database for resume data; omitted = in memory (no resume across restarts). */
  dbDir?: string;
  throttle?: HostThrottle;
  maxPeersPerTorrent?: number;
  maxConnections?: number;
  picker?: 'rarest-first' | 'random' | 'sequential';
  choker?: 'tit-for-tat' | 'unchoke-all';
  chokerOptions?: Partial<ChokerOptions>;
  /** Lab: never upload. */
  freeRider?: boolean;
  /** Send HAVE to peers that have the piece too (default true; see TorrentInit). */
  sendRedundantHaves?: boolean;
  /** Source address of outgoing peer connections (default: the system's choice). */
  localAddress?: string;
  /** The address trackers are asked to list us under (BEP 3 `ip`; default: what they see). */
  announceIp?: string;
  /**
   * The link's upload rate (B/s) when something else enforces it (the lab's kernel shaping):
   * sizes send queues as a throttle would, without throttling. Otherwise each connection may
   * hold 256 KiB in its socket, seconds of queue at a slow link's rate.
   */
  linkUpRate?: number;
  peerId?: Uint8Array;
  random?: Random;
  now?: () => number;
  requestTimeoutMs?: number;
  /** Extensions every connection advertises (metadata exchange, PEX register theirs here). */
  extensions?: ExtensionRegistry;
  /** Wire timeouts (tests use short ones). */
  idleTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Engine tick in ms (default 250). */
  tickMs?: number;
}


export interface ClientEvents {
  'torrent-added': [torrent: Torrent];
  'torrent-removed': [infoHashHex: string];
  warning: [error: Error];
}

/** Level stand-in when no dbDir is given: resume data lives as long as the process. */
class MemoryDb implements ResumeDb {
  private readonly m = new Map<string, string>();
  async get(k: string): Promise<string | undefined> {
    return this.m.get(k);
  }
  async put(k: string, v: string): Promise<void> {
    this.m.set(k, v);
  }
  async del(k: string): Promise<void> {
    this.m.delete(k);
  }
}

export class Client extends EventEmitter<ClientEvents> {
  readonly peerId: Uint8Array;
  readonly extensions: ExtensionRegistry;
  private readonly o: ClientOptions;
  private readonly random: Random;
  private readonly now: () => number;
  private readonly throttle: HostThrottle;
  private readonly map = new Map<string, Torrent>();
  private server: net.Server | undefined;
  private readonly incoming = new Set<Connection>();
  private db: Level<string, string> | undefined;
  private resumeDb: ResumeDb | undefined;
  private boundPort = 0;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly startedAt = Date.now();

  constructor(options: ClientOptions = {}) {
    super();
    this.o = options;
    this.random = options.random ?? cryptoRandom;
    this.now = options.now ?? Date.now;
    this.throttle = options.throttle ?? UNLIMITED;
    this.peerId = options.peerId ?? generatePeerId(this.random);
    this.extensions = options.extensions ?? new ExtensionRegistry();
  }

  get port(): number {
    return this.boundPort;
  }

  get torrents(): readonly Torrent[] {
    return [...this.map.values()];
  }

  get(infoHashHex: string): Torrent | undefined {
    return this.map.get(infoHashHex.toLowerCase());
  }

  start(): Promise<void> {
    this.starting ??= (async () => {
      if (this.o.dbDir !== undefined) {
        this.db = new Level<string, string>(this.o.dbDir);
        await this.db.open();
        this.resumeDb = this.db.sublevel('resume');
      } else {
        this.resumeDb = new MemoryDb();
      }
      const server = net.createServer({ noDelay: true }, (sock) => this.onSocket(sock));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e) => reject(toNetworkError(e, 'cannot listen')));
        server.listen({ host: this.o.host ?? '127.0.0.1', port: this.o.port ?? 0 }, () => resolve());
      });
      server.on('error', (e) => this.emit('warning', toNetworkError(e)));
      this.server = server;
      this.boundPort = (server.address() as net.AddressInfo).port;
    })();
    return this.starting;
  }

  async add(metainfo: Metainfo, options: AddOptions): Promise<Torrent> {
    await this.start();
    if (this.stopping) throw new ConfigError('client is stopped');
    const hex = metainfo.infoHashHex;
    if (this.map.has(hex)) throw new ConfigError(`torrent ${hex} is already added`);
    const t = new Torrent(
      {
        metainfo,
        peerId: this.peerId,
        random: this.random,
        now: this.now,
        resumeDb: this.resumeDb!,
        extensions: this.extensions,
        wireTimeouts: {
          ...(this.o.idleTimeoutMs !== undefined ? { idleTimeoutMs: this.o.idleTimeoutMs } : {}),
          ...(this.o.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: this.o.handshakeTimeoutMs } : {}),
        },
        port: () => this.boundPort,
        connect: async (to, tt) => dial(to, { throttle: connectionThrottle(this.throttle, tt), ...(this.o.localAddress !== undefined ? { localAddress: this.o.localAddress } : {}) }),
        isSelf: (to) => this.isSelf(to),
        hostUpRate: () => Math.min(this.throttle.up.rate, this.o.linkUpRate ?? Infinity),
        globalRoom: () => this.connectionCount() < (this.o.maxConnections ?? 200),
      },
      {
        ...options,
        maxPeers: this.o.maxPeersPerTorrent ?? 50,
        ...(this.o.picker ? { picker: this.o.picker } : {}),
        ...(this.o.choker ? { choker: this.o.choker } : {}),
        ...(this.o.chokerOptions ? { chokerOptions: this.o.chokerOptions } : {}),
        ...(this.o.freeRider ? { freeRider: true } : {}),
        ...(this.o.sendRedundantHaves === false ? { sendRedundantHaves: false } : {}),
        ...(this.o.announceIp !== undefined ? { announceIp: this.o.announceIp } : {}),
        ...(this.o.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.o.requestTimeoutMs } : {}),
        ...(this.o.tickMs !== undefined ? { tickMs: this.o.tickMs } : {}),
      },
    );
    this.map.set(hex, t);
    try {
      await t.start();
    } catch (e) {
      this.map.delete(hex);
      await t.stop();
      throw e;
    }
    this.emit('torrent-added', t);
    return t;
  }

  async remove(infoHashHex: string): Promise<void> {
    const t = this.get(infoHashHex);
    if (!t) return;
    this.map.delete(t.infoHashHex);
    await t.stop();
    await t.forgetResume().catch(() => undefined);
    this.emit('torrent-removed', t.infoHashHex);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => undefined);
      await Promise.allSettled([...this.map.values()].map((t) => t.stop()));
      for (const c of this.incoming) c.close();
      if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
      await this.db?.close();
    })();
    return this.stopping;
  }

  snapshot(): SnapshotBody {
    const host = this.o.host ?? '127.0.0.1';
    return {
      process: { kind: 'client', pid: process.pid, started: this.startedAt, label: `listening on ${formatEndpoint({ host, port: this.boundPort })}` },
      torrents: this.torrents.map((t) => t.view()),
    };
  }

  private connectionCount(): number {
    let n = 0;
    for (const t of this.map.values()) n += t.connectionCount;
    return n;
  }

  private onSocket(sock: net.Socket): void {
    const throttle = connectionThrottle(this.throttle);
    const conn = new Connection(sock, throttle);
    if (this.stopping || this.connectionCount() >= (this.o.maxConnections ?? 200)) {
      conn.close();
      return;
    }
    this.incoming.add(conn);
    conn.once('close', () => this.incoming.delete(conn));
    const watch = new WriteWatch(conn);
    let torrent: Torrent | undefined;
    const wire = new Wire(watch, {
      peerId: this.peerId,
      extensions: this.extensions,
      extensionHandshake: { reqq: 250, p: this.boundPort },
      ...(this.o.idleTimeoutMs !== undefined ? { idleTimeoutMs: this.o.idleTimeoutMs } : {}),
      ...(this.o.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: this.o.handshakeTimeoutMs } : {}),
      acceptInfoHash: (h) => {
        torrent = this.map.get(Buffer.from(h).toString('hex'));
        if (!torrent || !torrent.accepting) return false;
        throttle.attach(torrent.throttle);
        // metadata_size lets magnet downloaders (libtorrent, aria2, ours) fetch the info dict (BEP 9).
        return { pieceCount: torrent.metainfo.pieceCount, metadataSize: torrent.metainfo.infoBytes.length };
      },
    });
    wire.once('handshake', () => {
      if (!torrent || !torrent.acceptIncoming(wire, watch)) wire.close();
    });
    wire.start();
  }

  /** Our own listening endpoint (trackers and PEX hand it back to us). */
  private isSelf(to: Endpoint): boolean {
    if (to.port !== this.boundPort) return false;
    const host = unmapIPv4(to.host);
    if (host === '0.0.0.0' || host === '::' || host === 'localhost' || host === '::1' || host.startsWith('127.')) return true;
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (unmapIPv4(a.address) === host) return true;
    return false;
  }
}

export { Torrent } from './torrent.ts';
export type { TorrentStats, TorrentEvents } from './torrent.ts';
export type { AddOptions } from './torrent-types.ts';
