/**
 * A Chord DHT node on the network: carries out the pure ChordCore's actions over src/net's
 * UdpRpc, runs the maintenance timers (stabilize, fix_fingers, check_predecessor, record
 * expiry), and offers iterative lookups, put/get with replication, and announce/getPeers.
 * Requests are answered in rpc/handler.ts, core actions carried out in chord-actions.ts, and
 * put/get/announce/getPeers run in ring-records.ts.
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import type { ChordAction, ChordOptions, ChordSnapshot } from './core/chord.ts';
import { carryOut } from './chord-actions.ts';
import { announceOnRing, getFromRing, peersFromRing, putOnRing } from './ring-records.ts';
import { ChordCore } from './core/chord.ts';
import type { NodeRef } from './core/node-ref.ts';
import { IterativeLookup } from './core/lookup.ts';
import type { DhtRequest, DhtResponse, FingerRun } from './rpc/messages.ts';
import { Replicator } from './replicator.ts';
import { dhtCodec } from './rpc/codec.ts';
import { handleRequest } from './rpc/handler.ts';
import { fixWildcardRefs } from './rpc/wildcard.ts';
import { RecordStore } from './record-store.ts';
import type { Id160 } from '../src/naming/id160.ts';
import { randomId } from '../src/naming/id160.ts';
import type { Endpoint } from '../src/naming/endpoint.ts';
import { ClosedError, ConfigError, ProtocolError, TimeoutError, throwIfAborted } from '../src/errors.ts';
import { UdpRpc } from '../src/net/udp-rpc.ts';
import type { UdpSocket } from '../src/net/udp.ts';
import { bindUdp } from '../src/net/udp.ts';
import type { Random } from '../src/random.ts';
import { cryptoRandom } from '../src/random.ts';
import { nextRoundDelay } from './core/anti-entropy.ts';

export interface DhtNodeOptions extends Partial<ChordOptions> {
  id?: Id160;
  host?: string;
  port?: number;
  /** Level directory for records; memory-only when absent. */
  db?: string;
  stabilizeMs?: number;
  fixFingersMs?: number;
  checkPredecessorMs?: number;
  /** Per-attempt RPC timeout and attempts: a dead node costs rpcTimeoutMs · (2^attempts − 1). */
  rpcTimeoutMs?: number;
  rpcAttempts?: number;
  /**
   * Copies of each record besides the owner's: the owner plus its next `replicas` successors
   * hold it (default 3, so 4 copies; see replicator.ts).
   */
  replicas?: number;
  /** Least time between two re-replications after successor-list changes (default stabilizeMs). */
  replicationIntervalMs?: number;
  /**
   * Mean time between two anti-entropy rounds (each owner checks its replicas hold what it owns;
   * jittered ±25%). Default 5 · stabilizeMs; 0 turns anti-entropy off.
   */
  syncIntervalMs?: number;
  /** Randomness for timer jitter. */
  random?: Random;
  /**
   * Client mode (CLI put/get/lookup): talk to the ring through the bootstrap node without
   * joining it; no timers, and requests carry no sender id so nobody routes to us.
   */
  client?: boolean;
  now?: () => number;
}

export interface LookupResult {
  owner: NodeRef;
  backups: NodeRef[];
  hops: number;
}

export interface DhtNodeEvents {
  joined: [];
  error: [err: unknown];
}

export class DhtNode extends EventEmitter<DhtNodeEvents> {
  readonly options: Required<Omit<DhtNodeOptions, 'id' | 'db' | 'successorListLength' | 'suspectTtlMs'>> & Pick<DhtNodeOptions, 'db'>;
  core!: ChordCore;
  rpc!: UdpRpc<DhtRequest, DhtResponse>;
  readonly records: RecordStore;
  readonly replicator: Replicator;
  /** Lookups this node started, and the hops of the most recent ones (for the ring view). */
  readonly lookupStats = { count: 0, recentHops: [] as number[] };
  private socket: UdpSocket | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly busy = new Set<string>();
  /** Nodes we are asking for their neighbours after they contacted us (one probe at a time). */
  private readonly probing = new Set<Id160>();
  private readonly ac = new AbortController();
  private state: 'new' | 'started' | 'stopped' = 'new';
  private readonly wantedId: Id160;
  private readonly chordOptions: Partial<ChordOptions>;
  /** Client mode: the ring member all lookups start from. */
  private entry: NodeRef | undefined;

  constructor(options: DhtNodeOptions = {}) {
    super();
    this.wantedId = options.id ?? randomId();
    this.chordOptions = { successorListLength: options.successorListLength ?? 8, suspectTtlMs: options.suspectTtlMs ?? 30_000 };
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      db: options.db,
      stabilizeMs: options.stabilizeMs ?? 1000,
      fixFingersMs: options.fixFingersMs ?? 500,
      checkPredecessorMs: options.checkPredecessorMs ?? 2000,
      rpcTimeoutMs: options.rpcTimeoutMs ?? 500,
      rpcAttempts: options.rpcAttempts ?? 2,
      replicas: options.replicas ?? 3,
      replicationIntervalMs: options.replicationIntervalMs ?? options.stabilizeMs ?? 1000,
      syncIntervalMs: options.syncIntervalMs ?? 5 * (options.stabilizeMs ?? 1000),
      random: options.random ?? cryptoRandom,
      client: options.client ?? false,
      now: options.now ?? Date.now,
    };
    this.records = new RecordStore(options.db);
    // Every in-flight request links its signal to this one; a busy node has many.
    setMaxListeners(0, this.ac.signal);
    this.replicator = new Replicator(
      {
        core: () => this.core,
        records: this.records,
        now: () => this.now,
        send: (n, key, value, ttlMs) => this.putTo(n, key, value, ttlMs, true),
        sync: async (n, digest) => {
          const res = await this.request(n, { t: 'sync', from: this.self.id, digest });
          if (res.t !== 'missing') throw new ProtocolError('expected missing');
          return res.keys;
        },
      },
      this.options.replicas,
      this.options.replicationIntervalMs,
    );
  }

  get self(): NodeRef {
    return this.core.self;
  }

  get isRunning(): boolean {
    return this.state === 'started';
  }

  get now(): number {
    return this.options.now();
  }

  /** Bind, load records, then create a ring (no bootstrap) or join one. Idempotent. */
  async start(bootstrap?: Endpoint, signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'started';
    await this.records.open(this.now);
    this.socket = await bindUdp({ host: this.options.host, port: this.options.port });
    this.core = new ChordCore({ id: this.wantedId, ...this.socket.local }, this.chordOptions);
    this.rpc = new UdpRpc<DhtRequest, DhtResponse>({
      socket: this.socket,
      codec: dhtCodec(),
      handler: (req, from) => handleRequest(this, req, from),
      baseTimeoutMs: this.options.rpcTimeoutMs,
      attempts: this.options.rpcAttempts,
    });
    this.core.create();
    if (this.options.client) {
      if (!bootstrap) throw new ConfigError('client mode needs a bootstrap node');
      this.entry = await this.identify(bootstrap, signal);
      return;
    }
    if (bootstrap) await this.join(bootstrap, signal);
    const every = (ms: number, name: string, f: () => Promise<void>): void => {
      const t = setInterval(() => void this.exclusive(name, f), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.stabilizeMs, 'stabilize', () => this.run(this.core.stabilize(this.now)));
    every(this.options.fixFingersMs, 'fingers', () => this.run(this.core.fixFingers(this.now)));
    every(this.options.checkPredecessorMs, 'pred', () => this.run(this.core.checkPredecessor(this.now)));
    every(Math.max(1000, this.options.stabilizeMs * 5), 'expire', async () => void (await this.records.expire(this.now)));
    this.scheduleSync();
  }

  /** Anti-entropy rounds on a jittered timer (a chain of timeouts: rounds never overlap). */
  private scheduleSync(): void {
    const ms = this.options.syncIntervalMs;
    if (ms <= 0 || this.state !== 'started') return;
    this.syncTimer = setTimeout(() => {
      void this.exclusive('sync', () => this.replicator.antiEntropy(this.ac.signal)).finally(() => this.scheduleSync());
    }, nextRoundDelay(ms, this.options.random));
    this.syncTimer.unref();
  }

  /** Join through any node: learn its id with a ping, then look up our own successor via it. */
  async join(bootstrap: Endpoint, signal?: AbortSignal): Promise<void> {
    const via = await this.identify(bootstrap, signal);
    this.core.join(via, this.now);
    const r = await this.lookup(this.self.id, signal, via);
    await this.run(this.core.onJoinFound(r.owner, this.now), signal);
    this.emit('joined');
  }

  /** A node's id, learnt with a ping. */
  async identify(at: Endpoint, signal?: AbortSignal): Promise<NodeRef> {
    const pong = await this.request(at, { t: 'ping', from: null }, signal);
    if (pong.t !== 'pong') throw new ProtocolError(`${at.host}:${at.port} did not answer ping with pong`);
    return { id: pong.id, host: at.host, port: at.port };
  }

  /** Ask any node for its predecessor and successor list (the CLI's `dht ring`). */
  async neighborsOf(at: Endpoint, signal?: AbortSignal): Promise<{ predecessor: NodeRef | null; successors: NodeRef[] }> {
    const res = await this.request(at, { t: 'neighbors', from: null }, signal);
    if (res.t !== 'neighbors') throw new ProtocolError('expected neighbors');
    return { predecessor: res.predecessor, successors: res.successors };
  }

  /** Ask any node for its finger table, as runs of equal entries (`dht ring`). */
  async fingersOf(at: Endpoint, signal?: AbortSignal): Promise<FingerRun[]> {
    const res = await this.request(at, { t: 'fingers', from: null }, signal);
    if (res.t !== 'fingers') throw new ProtocolError('expected fingers');
    return res.fingers;
  }

  /** Graceful leave: hand our records to the successor and tell both neighbours, then stop. */
  async leave(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'started') return;
    const succ = this.core.successor;
    if (succ.id !== this.self.id) {
      await Promise.allSettled(
        this.records.table.all(this.now).map((e) => this.putTo(succ, e.key, e.value, e.expiresAt - this.now, false, signal)),
      );
    }
    await Promise.allSettled(this.core.leave().map((a) => carryOut(this, a, signal)));
    await this.stop();
  }

  /** Stop timers and close the socket and database (an abrupt departure). Idempotent. */
  async stop(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.replicator.stop();
    this.ac.abort(new ClosedError('DHT node stopped'));
    this.rpc.close();
    await this.socket?.close();
    await this.records.close();
  }

  snapshot(): ChordSnapshot {
    return this.core.snapshot();
  }

  /** Iterative lookup of successor(key), routing around nodes that do not answer. */
  async lookup(key: Id160, signal?: AbortSignal, via: NodeRef | undefined = this.entry): Promise<LookupResult> {
    const l = new IterativeLookup(key, via ? { forward: [via] } : this.core.route(key, this.now));
    for (;;) {
      throwIfAborted(signal);
      const step = l.next();
      if (step.type === 'done') {
        this.lookupStats.count++;
        this.lookupStats.recentHops.push(step.hops);
        if (this.lookupStats.recentHops.length > 64) this.lookupStats.recentHops.shift();
        return { owner: step.owner, backups: step.backups, hops: step.hops };
      }
      if (step.type === 'failed') throw new TimeoutError(`lookup of ${key.toString(16)} failed: ${step.reason}`);
      if (step.to.id === this.self.id) {
        l.onAnswer(step.to, this.core.route(key, this.now));
        continue;
      }
      try {
        const res = await this.request(step.to, { t: 'find', from: this.fromId(), key }, signal);
        if (res.t !== 'route') throw new ProtocolError('expected a route answer');
        this.core.heardFrom(step.to, this.now);
        l.onAnswer(step.to, 'found' in res ? { found: res.found, backups: res.backups } : { forward: res.forward });
      } catch (e) {
        if (signal?.aborted) throw e;
        l.onUnreachable(step.to);
        if (!via) void this.run(this.core.onUnreachable(step.to, this.now));
      }
    }
  }

  /** Store value under key on its owner, which replicates it on its successors. */
  put(key: Id160, value: Uint8Array, ttlMs: number, signal?: AbortSignal): Promise<NodeRef> {
    return putOnRing(this, key, value, ttlMs, signal);
  }

  /** Values under key from its owner, or from the replicas when it has none. */
  get(key: Id160, signal?: AbortSignal): Promise<Uint8Array[]> {
    return getFromRing(this, key, signal);
  }

  /** Announce that a peer for infohash listens on `port` at our address (as seen by the owner). */
  announce(infohash: Id160, port: number, ttlMs = 30 * 60_000, signal?: AbortSignal): Promise<void> {
    return announceOnRing(this, infohash, port, ttlMs, signal);
  }

  getPeers(infohash: Id160, signal?: AbortSignal): Promise<Endpoint[]> {
    return peersFromRing(this, infohash, signal);
  }

  /** A ring member sent us a request: it is alive, and may be a successor we missed. */
  contact(n: NodeRef): void {
    const actions = this.core.onContact(n, this.now);
    if (actions.length === 0 || this.probing.has(n.id) || this.state !== 'started') return;
    this.probing.add(n.id);
    void this.run(actions).finally(() => this.probing.delete(n.id));
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────

  /** Our id when we are a ring member the receiver may learn from, else null. */
  fromId(): Id160 | null {
    return this.options.client ? null : this.self.id;
  }

  request(to: Endpoint, req: DhtRequest, signal?: AbortSignal): Promise<DhtResponse> {
    const s = signal ? AbortSignal.any([signal, this.ac.signal]) : this.ac.signal;
    return this.rpc.request({ host: to.host, port: to.port }, req, { signal: s }).then((res) => fixWildcardRefs(res, to.host));
  }

  async putTo(n: NodeRef, key: Id160, value: Uint8Array, ttlMs: number, replica: boolean, signal?: AbortSignal): Promise<void> {
    if (ttlMs <= 0) return;
    if (n.id === this.self.id) {
      await this.storeLocal(key, value, this.now + ttlMs, replica);
      return;
    }
    const res = await this.request(n, { t: 'put', from: this.fromId(), key, value, ttlMs: Math.round(ttlMs), replica }, signal);
    if (res.t !== 'ok') throw new ProtocolError(`put refused by ${n.host}:${n.port}`);
  }

  /** Keep a record; as its owner, copy it to the next replicas − 1 successors. */
  async storeLocal(key: Id160, value: Uint8Array, expiresAt: number, replica: boolean): Promise<boolean> {
    const ok = await this.records.put(key, value, expiresAt);
    if (ok && !replica) this.replicate([{ key, value, expiresAt }]);
    return ok;
  }

  replicate(entries: { key: Id160; value: Uint8Array; expiresAt: number }[], to?: NodeRef[]): void {
    this.replicator.replicate(entries, to);
  }

  private async exclusive(name: string, f: () => Promise<void>): Promise<void> {
    if (this.busy.has(name) || this.state !== 'started') return;
    this.busy.add(name);
    try {
      await f();
    } catch (e) {
      if (this.state === 'started' && this.listenerCount('error') > 0) this.emit('error', e);
    } finally {
      this.busy.delete(name);
    }
  }

  /** Carry out actions, feeding results back into the core, until none are left. */
  async run(actions: ChordAction[], signal?: AbortSignal): Promise<void> {
    for (const a of actions) {
      if (this.state !== 'started') return;
      await carryOut(this, a, signal);
    }
  }
}
