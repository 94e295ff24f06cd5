/**
 * testSwarm(n, options): one seed and n leechers on 127.0.0.1, each its own emulated host
 * behind a shared HostThrottle, everyone given everyone's address (a full mesh, as a tracker
 * would give in a small swarm). It records what the swarm tests measure: when each peer started
 * and finished, the global copy count of every piece (seed included) from the 'verified'
 * events, and which address each peer id has at each peer, so a test can look one peer up in
 * another's view. Reuses the session tests' file fixture and client defaults.
 */
import { join } from 'node:path';
import type { ClientOptions } from '../../peer/session/client.ts';
import type { Client, Torrent } from '../../peer/session/client.ts';
import { hostThrottle } from '../../src/net/throttle.ts';
import { client, local, makeFixture, type Fixture } from '../integration/peer/session/swarm-fixture.ts';

export interface SwarmOptions {
  /** Bytes of the torrent (one file); default 512 KiB. */
  fileBytes?: number;
  /** Default 16 KiB (one block per piece: many pieces to trade). */
  pieceBytes?: number;
  /** Seed upload, bytes/s. */
  seedUp: number;
  /** Each leecher's upload, bytes/s. */
  peerUp: number;
  /** Each leecher's download, bytes/s; default unlimited. */
  peerDown?: number;
  /** Indexes of leechers that never upload. */
  freeRiders?: readonly number[];
  /** Client options for every host (picker, choker, chokerOptions…); per-peer flags win. */
  client?: ClientOptions;
  /** Options for the seed only, over `client` (e.g. more seed slots than the leechers' slots). */
  seedClient?: ClientOptions;
}

export interface SwarmPeer {
  readonly index: number;
  readonly client: Client;
  readonly torrent: Torrent;
  readonly freeRider: boolean;
  /** ms since the swarm started. */
  readonly joinedAt: number;
  doneAt: number | undefined;
  /** Verified pieces (kept here so a test can sample them without a view). */
  have: number;
}

export interface JoinOptions {
  freeRider?: boolean;
  /** Whom to connect to; default the seed and every leecher so far. */
  peers?: readonly (Client | 'seed')[];
  client?: ClientOptions;
  up?: number;
  down?: number;
}

export interface TestSwarm {
  readonly fixture: Fixture;
  readonly seeder: Client;
  readonly seed: Torrent;
  readonly peers: SwarmPeer[];
  /** ms since the swarm started. */
  elapsed(): number;
  /** Copies of each piece among the seed and the leechers (from verified pieces). */
  copies(): number[];
  /** Starts one more leecher. */
  join(o?: JoinOptions): Promise<SwarmPeer>;
  allDone(timeoutMs: number): Promise<void>;
  /** The address under which `of` knows `who` (by peer id), if connected. */
  addressAt(of: Torrent, who: Client): string | undefined;
  stop(): Promise<void>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export async function testSwarm(n: number, o: SwarmOptions): Promise<TestSwarm> {
  const pieceBytes = o.pieceBytes ?? 16 * 1024;
  const fixture = await makeFixture([o.fileBytes ?? 512 * 1024], pieceBytes);
  const pieceCount = fixture.metainfo.pieceCount;
  const copies = new Array<number>(pieceCount).fill(1);
  const t0 = performance.now();
  const elapsed = (): number => performance.now() - t0;
  const clients: Client[] = [];
  // torrent → (peer id hex → address there)
  const addresses = new Map<Torrent, Map<string, string>>();
  const watch = (t: Torrent): void => {
    const m = new Map<string, string>();
    addresses.set(t, m);
    t.on('wire', (address, wire) => {
      if (wire.peer) m.set(hex(wire.peer.peerId), address);
    });
  };

  const seeder = client({ ...o.client, ...o.seedClient, throttle: hostThrottle({ up: o.seedUp }), maxPeersPerTorrent: 100 });
  clients.push(seeder);
  const seed = await seeder.add(fixture.metainfo, { downloadDir: fixture.seedDir, seed: true, trackers: false });
  watch(seed);
  const peers: SwarmPeer[] = [];

  interface Pending {
    index: number;
    c: Client;
    freeRider: boolean;
    others: readonly Client[];
  }
  const start = async (index: number, jo: JoinOptions, others: readonly Client[]): Promise<Pending> => {
    const freeRider = jo.freeRider ?? false;
    const c = client({ ...o.client, ...jo.client, throttle: hostThrottle({ up: jo.up ?? o.peerUp, down: jo.down ?? o.peerDown ?? Infinity }), freeRider, maxPeersPerTorrent: 100 });
    clients.push(c);
    await c.start();
    return { index, c, freeRider, others };
  };
  const add = async (s: Pending): Promise<SwarmPeer> => {
    const joinedAt = elapsed();
    const torrent = await s.c.add(fixture.metainfo, {
      downloadDir: join(fixture.root, `leech${s.index}`),
      trackers: false,
      peers: s.others.filter((x) => x !== s.c).map(local),
    });
    watch(torrent);
    const p: SwarmPeer = { index: s.index, client: s.c, torrent, freeRider: s.freeRider, joinedAt, doneAt: undefined, have: 0 };
    torrent.on('verified', (piece) => {
      p.have++;
      copies[piece] = (copies[piece] ?? 0) + 1;
    });
    torrent.once('done', () => (p.doneAt = elapsed()));
    peers.push(p);
    return p;
  };

  // Start every host first so each torrent can be given all the others' ports at once.
  const riders = new Set(o.freeRiders ?? []);
  const started: Pending[] = [];
  for (let i = 0; i < n; i++) started.push(await start(i, { freeRider: riders.has(i) }, []));
  const everyone = [seeder, ...started.map((s) => s.c)];
  for (const s of started) await add({ ...s, others: everyone });

  const swarm: TestSwarm = {
    fixture,
    seeder,
    seed,
    peers,
    elapsed,
    copies: () => copies.slice(),
    async join(jo: JoinOptions = {}) {
      const others = (jo.peers ?? ['seed', ...peers.map((p) => p.client)]).map((x) => (x === 'seed' ? seeder : x));
      return add(await start(peers.length, jo, others));
    },
    async allDone(timeoutMs: number) {
      const signal = AbortSignal.timeout(timeoutMs);
      await Promise.all(peers.map((p) => p.torrent.whenDone(signal)));
    },
    addressAt(of: Torrent, who: Client) {
      return addresses.get(of)?.get(hex(who.peerId));
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.stop()));
      await fixture.cleanup();
    },
  };
  return swarm;
}

/** Median of a list (mean of the middle two for even lengths). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
