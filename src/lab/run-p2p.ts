/**
 * Runs the P2P half of a scenario for real: a tracker (and/or a small Chord ring), one seeder
 * whose host uploads at u_s, and N BitTorrent clients, each its own emulated host (u_i up, d_i
 * down through one shared HostThrottle), trading pieces over loopback. Produces a RunResult to
 * compare with max{F/u_s, F/d_min, N·F/(u_s + Σu_i)}.
 *
 * Small swarms run in ONE process: the throttles pace a single event loop, so no host gets an
 * unfair share of a CPU core. From 48 peers on (tracker discovery) one process is CPU-bound —
 * every peer's N² HAVEs and block events — so the leechers are spread over worker processes
 * (peer-host-worker.ts), one per core, while the tracker and seeder stay here. Ctrl-C (an
 * AbortSignal) stops every client and worker and keeps what was measured. The result carries
 * CPU figures (busy fraction over all processes, event-loop delay here) so a run where the CPU
 * rather than the emulated links was the bottleneck can be recognised.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CHOKER_DEFAULTS } from '../../peer/core/choker.ts';
import { Client } from '../../peer/session/client.ts';
import type { Torrent } from '../../peer/session/torrent.ts';
import type { DhtNode } from '../../dht/node.ts';
import { DhtPeerSource } from '../../dht/peer-source.ts';
import { TrackerServer } from '../../tracker/server.ts';
import { createTorrent } from '../codec/metainfo.ts';
import type { LabView } from '../control/snapshot.ts';
import { ConfigError } from '../errors.ts';
import { hostThrottle } from '../net/throttle.ts';
import { seededRandom } from '../random.ts';
import { PollingDhtSource } from './dht-poll-source.ts';
import { startLabRing } from './lab-ring.ts';
import { swarmFormed } from './swarm-formed.ts';
import { chokerOptionsFor, labChokerTiming, type LabChokerTiming } from './p2p-timing.ts';
import { hostAt, LocalPeerHost, type HostedPeer, type PeerHost, type PeerHostEvents } from './peer-host.ts';
import type { PlainClientOptions } from './peer-host-protocol.ts';
import type { PeerPlan, Plan } from './plan.ts';
import { RemotePeerHost } from './remote-peer-host.ts';
import type { Scenario } from './scenario.ts';
import { RunRecorder, type RunResult } from './results.ts';

export interface P2PRunOptions {
  readonly signal?: AbortSignal;
  /** Utilisation / spread sampling period; default 250 ms. */
  readonly sampleMs?: number;
  readonly onComplete?: (index: number, atMs: number) => void;
  /** Called once the swarm is up and the clock has started (the seed has just joined). */
  readonly onLive?: (swarm: LiveSwarm) => void;
  readonly repeat?: number;
  /** Give up (incomplete result) after this long; default max(60 s, 20 × bound). */
  readonly timeoutMs?: number;
  /** Ring size when discovery uses the DHT; default 4. */
  readonly dhtNodes?: number;
  /** Override the scaled choker timing (tests, ablations). */
  readonly choker?: Partial<LabChokerTiming>;
  /** Processes hosting the leechers: 1 = this one; default 1, or one per core (≤ 4) from 48 peers on. */
  readonly processes?: number;
  /**
   * Kernel shaping (kernel-shaping.ts, inside its network namespace): every host on its own
   * loopback address, no in-process throttles, the tracker trusting announced addresses.
   */
  readonly kernelShaped?: { readonly seeder: string; peer(index: number): string };
}

export interface CpuFigures {
  readonly wallMs: number;
  /** Processes that hosted the leechers (1: all in the runner's). */
  readonly processes: number;
  /** (user + system CPU) / wall time; near 1 on a single-threaded loop means CPU-bound. */
  readonly busyFraction: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

export interface P2PRunResult extends RunResult {
  /** The choker intervals used (scaled from the textbook's 10 s / 30 s to the bound). */
  readonly choker: LabChokerTiming & { readonly mode: string; readonly seedSlots: number };
  readonly cpu: CpuFigures;
  readonly timedOut: boolean;
  /** Payload bytes received but thrown away (endgame duplicates, failed hashes), all peers. */
  readonly wastedBytes: number;
}

/** What the demo's TUI and progress lines read while a run is going. */
export interface LiveSwarm {
  readonly seeder: Client;
  readonly tracker: TrackerServer | undefined;
  readonly ring: readonly DhtNode[];
  readonly pieceCount: number;
  elapsedMs(): number;
  completed(): number;
  labView(): LabView;
  /** Torrents of the leechers online now, in peer order. */
  leecherTorrents(): Torrent[];
}

/** runP2P's view of one leecher; the client itself lives in a PeerHost (here or in a worker). */
interface PeerState {
  readonly plan: PeerPlan;
  readonly host: PeerHost;
  /** Verified pieces (kept across churn sessions: the data stays on disk). */
  readonly have: Uint8Array;
  haveCount: number;
  online: boolean;
  departed: boolean;
  doneMs: number | null;
}

/** From this many peers on, one process is CPU-bound on 2 cores (measured: N=64 1.5 × the bound). */
const WORKERS_FROM_PEERS = 48;

/**
 * How many processes host the leechers. Workers find peers through the tracker only (the lab's
 * DHT ring lives in this process), so DHT discovery keeps everyone here.
 */
function peerProcesses(s: Scenario, requested: number | undefined): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new ConfigError(`processes must be a whole number ≥ 1, got ${requested}`);
    if (requested > 1 && s.discovery !== 'tracker') throw new ConfigError(`peer worker processes need discovery 'tracker' (the DHT ring is in-process), got '${s.discovery}'`);
    return Math.min(requested, s.n);
  }
  return s.n >= WORKERS_FROM_PEERS && s.discovery === 'tracker' ? Math.max(1, Math.min(4, availableParallelism())) : 1;
}

export async function runP2P(plan: Plan, o: P2PRunOptions = {}): Promise<P2PRunResult> {
  const s = plan.scenario;
  if (s.mode !== 'p2p') throw new ConfigError(`runP2P needs a p2p scenario, got ${s.mode}`);
  const timing: LabChokerTiming = { ...labChokerTiming(plan.bound.seconds), ...o.choker };
  const rec = new RunRecorder(plan, o.repeat ?? 0);
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  setMaxListeners(0, signal);
  const useTracker = s.discovery !== 'dht';
  const useDht = s.discovery !== 'tracker';
  const dir = await mkdtemp(join(tmpdir(), 'ringswarm-p2p-'));
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const later = (ms: number, f: () => void): void => void timers.push(setTimeout(f, Math.max(0, ms)));
  let tracker: TrackerServer | undefined;
  let ring: DhtNode[] = [];
  let seeder: Client | undefined;
  const peers: PeerState[] = [];
  const hosts: PeerHost[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let sampler: ReturnType<typeof setInterval> | undefined;
  let timedOut = false;
  let cpu: CpuFigures = { wallMs: 0, processes: 1, busyFraction: 0, loopDelayP99Ms: 0, loopDelayMaxMs: 0 };
  try {
    // The file: random bytes, so every piece hashes differently (as real content would).
    const seedDir = join(dir, 'seed');
    await mkdir(seedDir);
    const filePath = join(seedDir, 'file.bin');
    await writeFile(filePath, randomBytes(s.fileBytes));
    if (useTracker) {
      const http = o.kernelShaped ? { http: { trustIpParam: true } } : {};
      tracker = new TrackerServer({ random: seededRandom(s.seed) }, { host: '127.0.0.1', port: 0, interval: Math.max(2, Math.ceil(plan.bound.seconds / 4)), ...http });
      await tracker.start();
    }
    if (useDht) ring = await startLabRing(o.dhtNodes ?? 4, signal);
    const { metainfo, torrent: torrentBytes } = await createTorrent(filePath, { pieceLength: s.pieceBytes, creationDate: null, trackers: tracker ? [tracker.announceUrls.http] : [] });
    const pieceCount = metainfo.pieceCount;
    const common: PlainClientOptions = {
      host: '127.0.0.1',
      port: 0,
      picker: s.picker === 'rarest' ? 'rarest-first' : 'random',
      choker: s.choker,
      chokerOptions: chokerOptionsFor(s.choker, timing),
      // One process carries every peer's CPU: HAVEs to peers that have the piece are dropped.
      sendRedundantHaves: false,
    };
    const dhtSources = (client: Client, i: number) =>
      useDht ? [new PollingDhtSource(new DhtPeerSource(ring[i % ring.length] as DhtNode), metainfo.infoHash, () => client.port, 1000)] : [];
    // The seeder talks to every peer that finds it: its upload is the scarce resource.
    const shaped = o.kernelShaped;
    if (shaped && useDht) throw new ConfigError(`kernel-shaped P2P runs need discovery 'tracker' (DHT traffic is not bound to the hosts' addresses), got '${s.discovery}'`);
    const seedThrottle = hostThrottle(shaped ? {} : { up: s.serverUp });
    const seedAt = shaped ? hostAt(shaped.seeder, s.serverUp) : {};
    // The textbook's server divides u_s among all N peers: the seeder gives every peer a slot.
    const seedSlots = Math.max(CHOKER_DEFAULTS.slots, s.n);
    const seedClient = new Client({ ...common, ...seedAt, chokerOptions: { ...common.chokerOptions, seedSlots }, throttle: seedThrottle, maxPeersPerTorrent: Math.max(50, s.n), maxConnections: Math.max(200, s.n + 16), random: seededRandom(s.seed) });
    seeder = seedClient;
    await seeder.start();
    const hosted: HostedPeer[][] = [];
    const processes = peerProcesses(s, o.processes);
    for (const p of plan.peers) {
      const pdir = join(dir, `peer-${p.index}`);
      await mkdir(pdir);
      (hosted[p.index % processes] ??= []).push({ plan: p, dir: pdir, ...(shaped ? { address: shaped.peer(p.index) } : {}) });
    }

    // Global piece copies among online hosts (the seeder counts once for every piece).
    const copies = new Uint8Array(pieceCount).fill(1);
    const counts = (): number[] => Array.from(copies);
    let t0 = performance.now();
    const now = (): number => performance.now() - t0;
    let cpu0 = process.cpuUsage();
    loop.enable();
    let allDone: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    let doneCount = 0;

    const onVerified = (ps: PeerState, piece: number): void => {
      if (piece < 0 || piece >= pieceCount || ps.have[piece]) return;
      ps.have[piece] = 1;
      ps.haveCount++;
      if (ps.online) copies[piece] = Math.min(255, (copies[piece] as number) + 1);
    };
    const markDone = (ps: PeerState): void => {
      if (ps.doneMs !== null) return;
      const at = now();
      ps.doneMs = at;
      rec.completed(ps.plan.index, at);
      o.onComplete?.(ps.plan.index, at);
      if (++doneCount === peers.length) allDone();
      if (s.departAfterCompletion) {
        ps.departed = true;
        void goOffline(ps);
      }
    };
    const adjustCopies = (ps: PeerState, delta: 1 | -1): void => {
      for (let i = 0; i < pieceCount; i++) if (ps.have[i]) copies[i] = Math.max(0, Math.min(255, (copies[i] as number) + delta));
    };
    const byIndex = new Map<number, PeerState>();
    // A piece verified just as its peer went offline still counts: its data is on disk.
    const events: PeerHostEvents = {
      verified: (i, piece) => {
        const ps = byIndex.get(i);
        if (ps) onVerified(ps, piece);
      },
      done: (i) => {
        const ps = byIndex.get(i);
        if (ps) markDone(ps);
      },
    };
    // One host in this process, or one per worker process (each with its share of the peers).
    for (const group of hosted) {
      const host: PeerHost =
        processes === 1
          ? new LocalPeerHost({ metainfo, common, useTracker, seed: s.seed, peers: group, sources: dhtSources }, events)
          : new RemotePeerHost({ t: 'init', torrent: torrentBytes, common, useTracker, seed: s.seed, peers: group }, events);
      hosts.push(host);
      for (const { plan: p } of group) {
        const ps: PeerState = { plan: p, host, have: new Uint8Array(pieceCount), haveCount: 0, online: false, departed: false, doneMs: null };
        byIndex.set(p.index, ps);
      }
    }
    for (const p of plan.peers) peers.push(byIndex.get(p.index) as PeerState);
    const goOnline = async (ps: PeerState): Promise<void> => {
      if (signal.aborted || ps.online || ps.departed) return;
      ps.online = true;
      adjustCopies(ps, 1);
      try {
        await ps.host.online(ps.plan.index);
      } catch (e) {
        if (!signal.aborted && ps.online) throw e;
      }
    };
    const goOffline = async (ps: PeerState): Promise<void> => {
      if (!ps.online) return;
      ps.online = false;
      adjustCopies(ps, -1);
      await ps.host.offline(ps.plan.index).catch(() => undefined);
    };
    const recordBytes = (): void => {
      for (const ps of peers) {
        const c = ps.host.counters(ps.plan.index);
        rec.bytes(ps.plan.index, c.up, c.down);
      }
    };
    const workerCpuMs = (): number => hosts.reduce((a, h) => a + (h instanceof RemotePeerHost ? h.cpuMs : 0), 0);

    const failures: unknown[] = [];
    const guard = (p: Promise<void>): void => void p.catch((e: unknown) => {
      failures.push(e);
      stop.abort();
    });
    // The textbook's t = 0 has the N peers present and the server holding the file. So the
    // peers that join at 0 go online first and find each other (not timed), then the seed
    // joins with the file and the clock starts: client start-up and discovery, which cost the
    // first half second of a run on 2 cores, are not counted as distribution time.
    const atStart = peers.filter((ps) => ps.plan.joinAtMs <= 0);
    await Promise.all(atStart.map((ps) => goOnline(ps)));
    await swarmFormed(() => atStart.map((ps) => ps.host.counters(ps.plan.index).peers), Math.min(atStart.length - 1, 40), signal);
    t0 = performance.now();
    loop.reset();
    cpu0 = process.cpuUsage();
    const workerCpu0 = workerCpuMs();
    // Utilisation: bytes the upload throttles granted since the last sample, against the
    // capacity of the hosts online then (free riders have none).
    // (Kernel-shaped hosts have no throttle: their payload bytes stand in, headers uncounted.)
    const seedTorrent = (): Torrent | undefined => seedClient.torrents[0];
    const grantedNow = (): number =>
      shaped
        ? peers.reduce((g, ps) => g + ps.host.counters(ps.plan.index).up, seedTorrent()?.stats().uploaded ?? 0)
        : peers.reduce((g, ps) => g + (ps.plan.freeRider ? 0 : ps.host.counters(ps.plan.index).granted), seedThrottle.up.granted);
    let lastGranted = grantedNow();
    let lastAt = 0;
    sampler = setInterval(() => {
      const at = now();
      const granted = grantedNow();
      let capacity = s.serverUp;
      for (const ps of peers) if (!ps.plan.freeRider && ps.online) capacity += ps.plan.up;
      rec.utilisation(at, ((granted - lastGranted) * 1000) / Math.max(1, at - lastAt), capacity);
      rec.spread(at, counts());
      lastGranted = granted;
      lastAt = at;
      recordBytes();
    }, o.sampleMs ?? 250);

    await seeder.add(metainfo, { downloadDir: seedDir, seed: true, trackers: useTracker, sources: dhtSources(seedClient, 0) });
    for (const ps of peers) {
      if (ps.plan.joinAtMs > 0) later(ps.plan.joinAtMs, () => guard(goOnline(ps)));
      for (const [leave, back] of ps.plan.offline) {
        later(leave, () => void goOffline(ps));
        later(back, () => guard(goOnline(ps)));
      }
    }
    o.onLive?.({
      seeder,
      tracker,
      ring,
      pieceCount,
      elapsedMs: now,
      completed: () => doneCount,
      leecherTorrents: () => peers.flatMap((ps) => {
        const t = ps.host.torrent(ps.plan.index);
        return t ? [t] : [];
      }),
      labView: () => ({
        scenario: s.name,
        elapsedMs: now(),
        boundMs: plan.bound.seconds * 1000,
        peers: peers.map((ps) => ({ name: `peer ${ps.plan.index}${ps.plan.freeRider ? ' (free rider)' : ''}${ps.online ? '' : ' (offline)'}`, progress: ps.haveCount / pieceCount, doneMs: ps.doneMs })),
      }),
    });

    const timeoutMs = o.timeoutMs ?? Math.max(60_000, 20_000 * plan.bound.seconds);
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
      const onAbort = (): void => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      void finished.then(() => {
        clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    await Promise.all(hosts.map((h) => h.refresh().catch(() => undefined)));
    recordBytes();
    const used = process.cpuUsage(cpu0);
    const wallMs = now();
    loop.disable();
    const busyMs = (used.user + used.system) / 1000 + workerCpuMs() - workerCpu0;
    cpu = { wallMs, processes, busyFraction: busyMs / Math.max(1, wallMs), loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6 };
    if (failures.length > 0 && !o.signal?.aborted) throw failures[0];
    const wastedBytes = peers.reduce((a, ps) => a + ps.host.counters(ps.plan.index).wasted, 0);
    return { ...rec.finish(o.signal?.aborted === true), choker: { mode: s.choker, ...timing, seedSlots }, cpu, timedOut, wastedBytes };
  } finally {
    loop.disable();
    clearInterval(sampler);
    for (const t of timers) clearTimeout(t);
    stop.abort();
    await Promise.allSettled(hosts.map((h) => h.stop()));
    await seeder?.stop().catch(() => undefined);
    await tracker?.stop().catch(() => undefined);
    await Promise.allSettled(ring.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

