/**
 * The tracker's swarm table (pure: no node:*, no timers; `now` and a Random are injected).
 *
 * Per infohash it keeps seeders and leechers in two dense arrays plus an index by peer id and
 * by endpoint, so announce, removal and random selection are O(1) / O(numwant) even with 100k
 * peers. Every state change (new peer, seed/leech flip, stop, expiry, completed count) is
 * recorded as a `SwarmChange` that the persistence shell drains and writes to level; plain
 * re-announces that change nothing only refresh `lastSeen` in memory and cost no write.
 */
import { encodeCompactPeer, ipFamily } from '../src/naming/endpoint.ts';
import type { Random } from '../src/random.ts';

export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'none';

export interface AnnounceRequest {
  /** 20 raw bytes, as hex (the swarm key). */
  infoHash: string;
  /** 20 raw bytes, as hex. */
  peerId: string;
  /** The address the peer is reached at (normally the socket's source address). */
  host: string;
  port: number;
  left: bigint;
  event: AnnounceEvent;
  /** Already clamped by the front end; the table clamps again to its own cap. */
  numwant: number;
}

export interface PeerInfo {
  peerId: string;
  host: string;
  port: number;
  /** BEP 23/7 compact form (6 bytes IPv4, 18 IPv6), computed once when the peer is added. */
  compact: Uint8Array;
}

export interface AnnounceResult {
  peers: PeerInfo[];
  complete: number;
  incomplete: number;
  interval: number;
  minInterval: number;
}

export interface ScrapeEntry {
  complete: number;
  incomplete: number;
  downloaded: number;
}

export interface SwarmOptions {
  /** Seconds between re-announces asked of clients. */
  interval: number;
  minInterval: number;
  /** A peer not heard from for this many ms is dropped (default 2 × interval + 30 s grace). */
  peerTimeoutMs: number;
  defaultNumwant: number;
  maxNumwant: number;
}

export const DEFAULT_SWARM_OPTIONS: SwarmOptions = {
  interval: 1800,
  minInterval: 900,
  peerTimeoutMs: 2 * 1800_000 + 30_000,
  defaultNumwant: 50,
  maxNumwant: 200,
};

/** Options for a given interval, with the derived timeout. */
export function swarmOptionsFor(intervalSeconds: number): SwarmOptions {
  const interval = Math.max(1, Math.floor(intervalSeconds));
  return {
    ...DEFAULT_SWARM_OPTIONS,
    interval,
    minInterval: Math.max(1, Math.floor(interval / 2)),
    peerTimeoutMs: 2 * interval * 1000 + 30_000,
  };
}

/** What a persisted peer looks like (also the snapshot entry). */
export interface StoredPeer {
  peerId: string;
  host: string;
  port: number;
  seed: boolean;
  /** Whether this peer has already been counted as a completed download. */
  counted: boolean;
}

export type SwarmChange =
  | { kind: 'put'; infoHash: string; peer: StoredPeer }
  | { kind: 'del'; infoHash: string; peerId: string }
  | { kind: 'downloaded'; infoHash: string; downloaded: number };

export interface SwarmSnapshot {
  infoHash: string;
  downloaded: number;
  peers: StoredPeer[];
}

interface Peer extends StoredPeer {
  lastSeen: number;
  compact: Uint8Array;
  /** Position in its seeders/leechers array (swap-remove keeps arrays dense). */
  slot: number;
}

class Swarm {
  readonly seeds: Peer[] = [];
  readonly leechers: Peer[] = [];
  readonly byId = new Map<string, Peer>();
  readonly byEndpoint = new Map<string, Peer>();
  downloaded = 0;

  add(p: Peer): void {
    const arr = p.seed ? this.seeds : this.leechers;
    p.slot = arr.length;
    arr.push(p);
    this.byId.set(p.peerId, p);
    this.byEndpoint.set(endpointKey(p.host, p.port), p);
  }

  remove(p: Peer): void {
    const arr = p.seed ? this.seeds : this.leechers;
    const last = arr.pop() as Peer;
    if (last !== p) {
      arr[p.slot] = last;
      last.slot = p.slot;
    }
    this.byId.delete(p.peerId);
    const k = endpointKey(p.host, p.port);
    if (this.byEndpoint.get(k) === p) this.byEndpoint.delete(k);
  }

  get size(): number {
    return this.seeds.length + this.leechers.length;
  }

  /** Virtual index over seeds ++ leechers. */
  at(i: number): Peer {
    return i < this.seeds.length ? (this.seeds[i] as Peer) : (this.leechers[i - this.seeds.length] as Peer);
  }
}

function endpointKey(host: string, port: number): string {
  return `${host.toLowerCase()}|${port}`;
}

export class SwarmTable {
  private readonly swarms = new Map<string, Swarm>();
  private changes: SwarmChange[] = [];
  readonly options: SwarmOptions;

  constructor(
    private readonly random: Random,
    options: Partial<SwarmOptions> = {},
  ) {
    this.options = { ...DEFAULT_SWARM_OPTIONS, ...options };
  }

  announce(req: AnnounceRequest, now: number): AnnounceResult {
    const { interval, minInterval } = this.options;
    let swarm = this.swarms.get(req.infoHash);
    const seed = req.left === 0n;

    if (req.event === 'stopped') {
      const p = swarm?.byId.get(req.peerId);
      if (swarm && p) {
        // Clients that stop right after finishing (aria2 with --seed-time=0) never send
        // `completed`; a leecher that leaves with nothing left still finished a download.
        if (seed && !p.seed) this.countCompleted(req.infoHash, swarm, p);
        this.drop(req.infoHash, swarm, p);
      }
      return { peers: [], complete: swarm?.seeds.length ?? 0, incomplete: swarm?.leechers.length ?? 0, interval, minInterval };
    }

    if (!swarm) {
      swarm = new Swarm();
      this.swarms.set(req.infoHash, swarm);
    }
    let p = swarm.byId.get(req.peerId);
    // Same endpoint under a new peer id: the client restarted; the old entry is stale.
    const other = swarm.byEndpoint.get(endpointKey(req.host, req.port));
    if (other && other !== p) {
      this.drop(req.infoHash, swarm, other);
      this.swarms.set(req.infoHash, swarm); // drop() forgets a swarm it emptied
    }

    let changed = false;
    // A known leecher now reporting left=0 finished here, `completed` event or not.
    if (p && !p.seed && seed) changed = this.countCompleted(req.infoHash, swarm, p) || changed;
    if (!p) {
      p = { peerId: req.peerId, host: req.host, port: req.port, seed, counted: false, lastSeen: now, slot: 0, compact: compactOf(req.host, req.port) };
      swarm.add(p);
      changed = true;
    } else if (p.seed !== seed || p.host !== req.host || p.port !== req.port) {
      swarm.remove(p);
      p.seed = seed;
      if (p.host !== req.host || p.port !== req.port) p.compact = compactOf(req.host, req.port);
      p.host = req.host;
      p.port = req.port;
      swarm.add(p);
      changed = true;
    }
    p.lastSeen = now;
    if (req.event === 'completed') changed = this.countCompleted(req.infoHash, swarm, p) || changed;
    if (changed) this.changes.push({ kind: 'put', infoHash: req.infoHash, peer: stored(p) });

    const want = Math.max(0, Math.min(req.numwant, this.options.maxNumwant));
    const peers = this.pick(swarm, p, want);
    return { peers, complete: swarm.seeds.length, incomplete: swarm.leechers.length, interval, minInterval };
  }

  /**
   * Up to `want` distinct random peers other than `self`, O(want): Floyd's sampling over the
   * virtual index space seeds ++ leechers with self's index removed. Seeders get only leechers
   * (a seed has nothing to fetch from another seed).
   */
  private pick(swarm: Swarm, self: Peer, want: number): PeerInfo[] {
    const base = self.seed ? swarm.seeds.length : 0;
    const n = swarm.size - base;
    const selfIdx = self.seed ? -1 : swarm.seeds.length + self.slot - base;
    const m = selfIdx >= 0 ? n - 1 : n; // candidates
    const k = Math.min(want, m);
    const out: PeerInfo[] = [];
    if (k <= 0) return out;
    const toPeer = (v: number): Peer => swarm.at(base + (selfIdx >= 0 && v >= selfIdx ? v + 1 : v));
    if (k === m) {
      for (let v = 0; v < m; v++) out.push(info(toPeer(v)));
    } else {
      const chosen = new Set<number>();
      for (let j = m - k; j < m; j++) {
        const t = this.random.int(j + 1);
        chosen.add(chosen.has(t) ? j : t);
      }
      for (const v of chosen) out.push(info(toPeer(v)));
    }
    // Floyd's picks a uniform subset but not a uniform order; shuffle the k results.
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [out[i], out[j]] = [out[j] as PeerInfo, out[i] as PeerInfo];
    }
    return out;
  }

  /** Count one finished download per peer (whichever signal arrives first). */
  private countCompleted(infoHash: string, swarm: Swarm, p: Peer): boolean {
    if (p.counted) return false;
    p.counted = true;
    swarm.downloaded++;
    this.changes.push({ kind: 'downloaded', infoHash, downloaded: swarm.downloaded });
    return true;
  }

  private drop(infoHash: string, swarm: Swarm, p: Peer): void {
    swarm.remove(p);
    this.changes.push({ kind: 'del', infoHash, peerId: p.peerId });
    if (swarm.size === 0 && swarm.downloaded === 0) this.swarms.delete(infoHash);
  }

  /** Drop peers silent for longer than peerTimeoutMs. Returns how many were dropped. */
  prune(now: number): number {
    const cutoff = now - this.options.peerTimeoutMs;
    let dropped = 0;
    for (const [ih, swarm] of this.swarms) {
      for (const arr of [swarm.seeds, swarm.leechers]) {
        // Walk backwards: swap-remove only moves entries from the tail we have already seen.
        for (let i = arr.length - 1; i >= 0; i--) {
          const p = arr[i] as Peer;
          if (p.lastSeen < cutoff) {
            this.drop(ih, swarm, p);
            dropped++;
          }
        }
      }
    }
    return dropped;
  }

  scrape(infoHash: string): ScrapeEntry {
    const s = this.swarms.get(infoHash);
    return { complete: s?.seeds.length ?? 0, incomplete: s?.leechers.length ?? 0, downloaded: s?.downloaded ?? 0 };
  }

  /** Infohashes (hex) of every known swarm, for full scrapes and the stats page. */
  infoHashes(): string[] {
    return [...this.swarms.keys()];
  }

  get swarmCount(): number {
    return this.swarms.size;
  }

  get peerCount(): number {
    let n = 0;
    for (const s of this.swarms.values()) n += s.size;
    return n;
  }

  /** Changes since the last drain, oldest first, for the persistence shell. */
  drainChanges(): SwarmChange[] {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  snapshot(): SwarmSnapshot[] {
    const out: SwarmSnapshot[] = [];
    for (const [infoHash, s] of this.swarms) {
      out.push({ infoHash, downloaded: s.downloaded, peers: [...s.seeds, ...s.leechers].map(stored) });
    }
    return out;
  }

  /**
   * Load persisted swarms. Restored peers get lastSeen = now: we do not persist every
   * re-announce, so the restart grants them one fresh timeout window. Records no changes.
   */
  restore(snapshots: readonly SwarmSnapshot[], now: number): void {
    for (const snap of snapshots) {
      let swarm = this.swarms.get(snap.infoHash);
      if (!swarm) {
        swarm = new Swarm();
        this.swarms.set(snap.infoHash, swarm);
      }
      swarm.downloaded = Math.max(swarm.downloaded, snap.downloaded);
      for (const sp of snap.peers) {
        const old = swarm.byId.get(sp.peerId) ?? swarm.byEndpoint.get(endpointKey(sp.host, sp.port));
        if (old) swarm.remove(old);
        swarm.add({ ...sp, lastSeen: now, slot: 0, compact: compactOf(sp.host, sp.port) });
      }
    }
  }
}

function stored(p: Peer): StoredPeer {
  return { peerId: p.peerId, host: p.host, port: p.port, seed: p.seed, counted: p.counted };
}

function info(p: Peer): PeerInfo {
  return { peerId: p.peerId, host: p.host, port: p.port, compact: p.compact };
}

/** Encoding per announce dominated the profile; hosts are IP literals, so encode once. */
function compactOf(host: string, port: number): Uint8Array {
  return ipFamily(host) === 0 ? new Uint8Array(0) : encodeCompactPeer({ host, port });
}

/** Concatenate the compact forms of one family (6-byte or 18-byte entries). */
export function compactPeers(peers: readonly PeerInfo[], family: 4 | 6): Uint8Array {
  const size = family === 4 ? 6 : 18;
  let n = 0;
  for (const p of peers) if (p.compact.length === size) n++;
  const out = new Uint8Array(n * size);
  let off = 0;
  for (const p of peers) {
    if (p.compact.length !== size) continue;
    out.set(p.compact, off);
    off += size;
  }
  return out;
}
