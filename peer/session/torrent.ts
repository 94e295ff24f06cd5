/**
 * One torrent in a running client: storage, resume, the picker and choker, the peer manager,
 * peer sources, and the timers that drive them. Composition only — the decisions live in
 * peer/core, the message handling in downloader.ts / uploader.ts / piece-verifier.ts, the
 * per-peer routing in peer-wiring.ts and what a checked piece changes in piece-ledger.ts.
 */
import { EventEmitter } from 'node:events';
import { Availability } from '../core/availability.ts';
import type { Bitfield } from '../core/bitfield.ts';
import { Choker } from '../core/choker.ts';
import { Layout } from '../core/layout.ts';
import { Picker } from '../core/picker.ts';
import type { Wire } from '../wire/wire.ts';
import type { Metainfo } from '../../src/codec/metainfo.ts';
import type { TorrentView, RateHistory } from '../../src/control/snapshot.ts';
import type { Endpoint } from '../../src/naming/endpoint.ts';
import { RateMeter } from '../../src/net/rate-meter.ts';
import { ThrottleGroup, type HostThrottle } from '../../src/net/throttle.ts';
import type { PeerSource, TransferStats } from '../../src/peer-source.ts';
import { FileStorage } from '../../src/store/piece-storage-file.ts';
import { TorrentResume } from '../../src/store/resume.ts';
import { TrackerClient } from '../../tracker/client.ts';
import { Choking } from './choking.ts';
import { untilDone, type TorrentDeps, type TorrentEvents, type TorrentInit } from './torrent-types.ts';
import { Downloader } from './downloader.ts';
import type { WriteWatch } from './peer-connection.ts';
import { PeerManager } from './peer-manager.ts';
import { PeerWiring } from './peer-wiring.ts';
import { PieceLedger } from './piece-ledger.ts';
import { PieceVerifier } from './piece-verifier.ts';
import type { TorrentStats } from './torrent-stats.ts';
import { torrentView } from './torrent-view.ts';
import { Uploader } from './uploader.ts';

export type { TorrentStats } from './torrent-stats.ts';

export type { TorrentDeps, TorrentEvents, TorrentInit } from './torrent-types.ts';

const HISTORY = 120;
const SAMPLE_MS = 1000;
/**
 * Endgame duplicates only for requests outstanding this long. A throttled peer serving several
 * downloaders routinely takes over a second per request; duplicating younger ones wasted 12–17%
 * of N·F in test/integration/peer/session/waste.test.ts (0–1% at 2 s, same completion time).
 */
const ENDGAME_MIN_AGE_MS = 2000;

export class Torrent extends EventEmitter<TorrentEvents> {
  readonly metainfo: Metainfo;
  readonly layout: Layout;
  /** This torrent's caps, chained after the host's on each of its connections. */
  readonly throttle: HostThrottle;
  private readonly d: TorrentDeps;
  private readonly o: TorrentInit;
  private readonly availability: Availability;
  private readonly storage: FileStorage;
  private readonly resumeData: TorrentResume;
  private readonly choking: Choking;
  private readonly manager: PeerManager;
  private readonly verifier: PieceVerifier;
  private readonly wiring: PeerWiring;
  private readonly ledger: PieceLedger;
  private readonly sources: PeerSource[] = [];
  private readonly downMeter = new RateMeter();
  private readonly upMeter = new RateMeter();
  private readonly history: RateHistory = { intervalMs: SAMPLE_MS, down: [], up: [] };
  private picker: Picker | undefined;
  private downloader: Downloader | undefined;
  private uploader: Uploader | undefined;
  private state: TorrentStats['state'] = 'checking';
  private errorMessage: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastSample = 0;
  private stopping: Promise<void> | undefined;

  constructor(deps: TorrentDeps, init: TorrentInit) {
    super();
    this.d = deps;
    this.o = init;
    this.metainfo = deps.metainfo;
    const m = deps.metainfo;
    this.layout = new Layout({ pieceLength: m.pieceLength, length: m.length, files: m.files.map((f) => ({ path: f.path, length: f.length, pad: f.pad ?? false })) });
    this.throttle = { up: new ThrottleGroup({ rate: init.upload || Infinity }), down: new ThrottleGroup({ rate: init.download || Infinity }) };
    this.availability = new Availability(m.pieceCount);
    this.storage = new FileStorage({ root: init.downloadDir, layout: this.layout });
    // flushEvery 1: a SIGKILL loses no verified piece; flushes coalesce while one is writing.
    this.resumeData = new TorrentResume({ db: deps.resumeDb, infoHashHex: m.infoHashHex, layout: this.layout, storage: this.storage, hashes: m, statFile: (i) => this.storage.statFile(i) }, { flushEvery: 1 });
    this.choking = new Choking({
      choker: new Choker({ ...init.chokerOptions, mode: init.choker ?? init.chokerOptions?.mode ?? 'tit-for-tat' }),
      random: deps.random,
      now: deps.now,
      freeRider: init.freeRider ?? false,
      peers: () => this.manager.peers.values(),
      seeding: () => this.done,
      choked: (p) => this.uploader?.onChoke(p),
    });
    this.verifier = new PieceVerifier(
      { storage: this.storage, hashes: m, layout: this.layout },
      {
        verified: (piece) => this.ledger.verified(piece),
        failed: (piece, peers) => this.ledger.failed(piece, peers),
        culprit: (peer) => this.ledger.strike(peer),
        error: (e) => this.fail(e),
      },
    );
    this.manager = new PeerManager(
      {
        infoHash: m.infoHash,
        pieceCount: m.pieceCount,
        now: deps.now,
        wireOptions: { peerId: deps.peerId, ...(deps.extensions ? { extensions: deps.extensions } : {}), extensionHandshake: { reqq: 250, p: deps.port(), metadataSize: m.infoBytes.length }, ...deps.wireTimeouts },
        connect: (to) => deps.connect(to, this.throttle),
        isSelf: (to) => deps.isSelf(to),
        globalRoom: () => deps.globalRoom(),
        wantMore: () => this.state === 'downloading' || this.state === 'seeding',
        attach: (p) => this.wiring.attach(p),
        detach: (p, reason) => this.wiring.detach(p, reason),
        banned: (address, reason) => this.emit('peer-banned', address, reason),
        handshakeFailed: (address, reason) => this.emit('peer-disconnected', address, reason?.message ?? 'closed before the handshake'),
      },
      { maxPeers: init.maxPeers ?? 50 },
    );
    const parts = { availability: this.availability, manager: this.manager, events: this, downloader: () => this.downloader };
    this.wiring = new PeerWiring({
      ...parts,
      pieceCount: m.pieceCount,
      choking: this.choking,
      uploader: () => this.uploader,
      have: () => this.picker!.have,
      done: () => this.done,
      received: (n) => this.downMeter.add(n, this.d.now()),
    });
    this.ledger = new PieceLedger({
      ...parts,
      layout: this.layout,
      resume: this.resumeData,
      redundantHaves: init.sendRedundantHaves !== false,
      picker: () => this.picker,
      stopping: () => this.stopping !== undefined,
      completed: () => this.onComplete(),
    });
  }

  get infoHashHex(): string {
    return this.metainfo.infoHashHex;
  }

  get done(): boolean {
    return this.picker?.isComplete ?? false;
  }

  /** Ready to take peers (checked, not paused or failed). */
  get accepting(): boolean {
    return this.state === 'downloading' || this.state === 'seeding';
  }

  /** Check what is on disk, then start the engine and the peer sources. */
  async start(): Promise<void> {
    try {
      const loaded = await this.resumeData.load({ recheck: this.o.recheck ?? false });
      this.setup(loaded.have);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
    if (this.o.seed && !this.done) this.emit('warning', new Error(`seeding ${this.metainfo.name}: only ${this.picker!.have.count} of ${this.metainfo.pieceCount} pieces verify`));
    if (this.o.trackers !== false && this.metainfo.announceList.length > 0) {
      this.addSource(new TrackerClient({ stats: () => this.transferStats(), random: this.d.random }, { infoHash: this.metainfo.infoHash, peerId: this.d.peerId, port: this.d.port(), announceList: this.metainfo.announceList, ...(this.o.announceIp !== undefined ? { ip: this.o.announceIp } : {}) }));
    }
    for (const s of this.o.sources ?? []) this.addSource(s);
    if (this.o.peers) this.addPeers(this.o.peers);
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 250);
    this.timer.unref?.();
    this.tick();
  }

  private setup(have: Bitfield): void {
    const startedWith = have.clone();
    const picker = new Picker({ geometry: this.layout, availability: this.availability, random: this.d.random, have }, { strategy: this.o.picker ?? 'rarest-first', endgameMinAgeMs: ENDGAME_MIN_AGE_MS });
    this.picker = picker;
    this.ledger.counted(have);
    this.downloader = new Downloader({
      picker,
      verifier: this.verifier,
      now: this.d.now,
      startedWith,
      peer: (key) => this.manager.peers.get(key),
      drop: (p, reason) => this.manager.ban(p, reason),
    });
    this.uploader = new Uploader({
      storage: this.storage,
      layout: this.layout,
      have: picker.have,
      now: this.d.now,
      violation: (p, reason, ban) => (ban ? this.manager.ban(p, reason) : p.wire.close(new Error(reason))),
      served: (n) => this.upMeter.add(n, this.d.now()),
      upRate: () => Math.min(this.d.hostUpRate?.() ?? Infinity, this.throttle.up.rate),
    });
    this.state = this.o.paused ? 'paused' : picker.isComplete ? 'seeding' : 'downloading';
    if (this.o.paused) this.downloader.active = false;
  }

  addPeers(peers: Endpoint[]): void {
    this.manager.addPeers(peers);
    if (this.timer) this.manager.tick();
  }

  addSource(source: PeerSource): void {
    this.sources.push(source);
    source.on('peers', (peers) => this.addPeers(peers));
    source.on('warning', (e) => this.emit('warning', e));
    source.start();
    if (this.done) source.completed?.();
  }

  /** An incoming connection for this torrent completed its handshake (called by the Client). */
  acceptIncoming(wire: Wire, watch: WriteWatch): boolean {
    return this.accepting && this.manager.acceptIncoming(wire, watch);
  }

  get connectionCount(): number {
    return this.manager.peers.size + this.manager.connecting;
  }

  pause(): void {
    if (this.state !== 'downloading' && this.state !== 'seeding') return;
    this.state = 'paused';
    if (this.downloader) this.downloader.active = false;
    for (const p of [...this.manager.peers.values()]) p.wire.close();
  }

  resume(): void {
    if (this.state !== 'paused' || !this.picker) return;
    this.state = this.done ? 'seeding' : 'downloading';
    if (this.downloader) this.downloader.active = true;
    this.manager.tick();
  }

  setLimits(l: { upload?: number; download?: number }): void {
    if (l.upload !== undefined) this.throttle.up.setRate(l.upload || Infinity);
    if (l.download !== undefined) this.throttle.down.setRate(l.download || Infinity);
  }

  whenDone(signal?: AbortSignal): Promise<void> {
    return this.done ? Promise.resolve() : untilDone(this, signal);
  }

  /** How many connected peers have each piece (ourselves not counted). */
  pieceCopies(): number[] {
    return Array.from(this.availability.all());
  }

  stats(): TorrentStats {
    const now = this.d.now();
    const m = this.metainfo;
    const peers = [...this.manager.peers.values()];
    const downloadRate = this.downMeter.rate(now);
    const left = m.length - this.ledger.verifiedBytes;
    const s: TorrentStats = {
      infoHashHex: m.infoHashHex,
      name: m.name,
      length: m.length,
      pieceCount: m.pieceCount,
      have: this.picker?.have.count ?? 0,
      progress: m.length === 0 ? 1 : this.ledger.verifiedBytes / m.length,
      downloaded: this.downloader?.downloaded ?? 0,
      uploaded: this.uploader?.uploaded ?? 0,
      downloadRate,
      uploadRate: this.upMeter.rate(now),
      peers: peers.length,
      seeds: peers.filter((p) => this.availability.bitfieldOf(p.key)?.isComplete).length,
      state: this.state,
      eta: this.state === 'downloading' && downloadRate > 0 ? left / downloadRate : null,
      wasted: this.ledger.hashWasted + (this.downloader?.wasted ?? 0),
      refetched: this.downloader?.refetched ?? 0,
      wasteBy: { choked: 0, endgame: 0, timeout: 0, ...this.downloader?.wasteBy, hash: this.ledger.hashWasted },
    };
    return s;
  }

  view(): TorrentView {
    const parts = { stats: this.stats(), pieceLength: this.metainfo.pieceLength, picker: this.picker, availability: this.availability, peers: this.manager.peers.values(), history: this.history, now: this.d.now() };
    return torrentView(this.errorMessage === undefined ? parts : { ...parts, error: this.errorMessage });
  }

  /** Stopped announces, resume flush, sockets and files closed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      this.choking.stop();
      if (this.downloader) this.downloader.active = false;
      this.manager.close();
      await this.verifier.settled();
      await Promise.allSettled(this.sources.map((s) => s.stop()));
      await this.verifier.stop();
      if (this.picker) await this.resumeData.close().catch((e: unknown) => this.emit('warning', e instanceof Error ? e : new Error(String(e))));
      await this.storage.close();
    })();
    return this.stopping;
  }

  /** Drop the resume record (torrent removed from the client). */
  forgetResume(): Promise<void> {
    return this.resumeData.forget();
  }

  /** The last piece verified: seed from now on. */
  private onComplete(): void {
    this.state = this.state === 'paused' ? 'paused' : 'seeding';
    void this.resumeData.flush().catch(() => undefined);
    for (const s of this.sources) s.completed?.();
    for (const p of [...this.manager.peers.values()]) this.wiring.bothSeeds(p);
    this.emit('done');
  }

  private fail(e: Error): void {
    if (this.stopping) return;
    this.state = 'error';
    this.errorMessage = e.message;
    if (this.downloader) this.downloader.active = false;
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }

  private transferStats(): TransferStats {
    return {
      uploaded: BigInt(this.uploader?.uploaded ?? 0),
      downloaded: BigInt(this.downloader?.downloaded ?? 0),
      left: BigInt(this.metainfo.length - this.ledger.verifiedBytes),
    };
  }

  // ---- timers ----

  private tick(): void {
    if (this.stopping || !this.picker) return;
    const now = this.d.now();
    this.downloader!.expire(this.o.requestTimeoutMs ?? 30_000);
    this.manager.tick();
    this.choking.tick();
    for (const p of this.manager.peers.values()) this.downloader!.fill(p);
    if (now - this.lastSample >= SAMPLE_MS) {
      this.lastSample = now;
      push(this.history.down, this.downMeter.rate(now));
      push(this.history.up, this.upMeter.rate(now));
    }
  }
}

function push(a: number[], v: number): void {
  a.push(v);
  if (a.length > HISTORY) a.shift();
}
