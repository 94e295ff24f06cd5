/**
 * Runs the pure Choker over live connections: on its interval (from the torrent's tick) and
 * early when interest changes or an unchoked peer leaves, so a newcomer does not wait a whole
 * period for its first slot. A free rider (the lab's ablation) chokes everyone, always.
 *
 * Tit-for-tat ranks by what a peer sent us in the last period (the choker's rateWindowMs), not
 * by the connection's 10 s meter: with scaled-down periods that meter is nearly all-time. The
 * shell also remembers when each peer unchoked us, where the snub clock starts.
 */
import type { Choker } from '../core/choker.ts';
import type { Random } from '../../src/random.ts';
import type { PeerConnection } from './peer-connection.ts';

export interface ChokingDeps {
  readonly choker: Choker;
  readonly random: Random;
  readonly now: () => number;
  readonly freeRider: boolean;
  peers(): Iterable<PeerConnection>;
  seeding(): boolean;
  /** We choked the peer: drop its queued requests. */
  choked(p: PeerConnection): void;
}

interface Sample {
  readonly at: number;
  /** The peer's downMeter.total then. */
  readonly total: number;
}

interface Track {
  samples: Sample[];
  unchokedUsAt: number | undefined;
}

export class Choking {
  private readonly d: ChokingDeps;
  private pending = false;
  private stopped = false;
  private readonly tracks = new Map<PeerConnection, Track>();

  constructor(deps: ChokingDeps) {
    this.d = deps;
  }

  /** Rechoke if the interval has passed. */
  tick(): void {
    if (this.d.choker.due(this.d.now())) this.rechoke();
  }

  /** Rechoke on the next turn of the event loop (coalesced). */
  soon(): void {
    if (this.pending || this.stopped) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (!this.stopped) this.rechoke();
    });
  }

  stop(): void {
    this.stopped = true;
  }

  rechoke(): void {
    const now = this.d.now();
    const peers = [...this.d.peers()].filter((p) => p.wire.isOpen);
    if (this.d.freeRider) {
      for (const p of peers) if (!p.wire.amChoking) this.choke(p);
      return;
    }
    const live = new Set(peers);
    for (const p of [...this.tracks.keys()]) if (!live.has(p)) this.tracks.delete(p);
    const decision = this.d.choker.rechoke(
      peers.map((p) => {
        const track = this.track(p, now);
        return {
          id: p.key,
          interested: p.wire.peerInterested,
          amInterested: p.wire.amInterested,
          downloadRate: this.periodRate(p, track, now),
          uploadRate: p.upMeter.rate(now),
          connectedAt: p.connectedAt,
          peerChoking: p.wire.peerChoking,
          ...(track.unchokedUsAt !== undefined ? { unchokedUsAt: track.unchokedUsAt } : {}),
          ...(p.lastBlockAt !== undefined ? { lastBlockAt: p.lastBlockAt } : {}),
        };
      }),
      { now, random: this.d.random, seeding: this.d.seeding() },
    );
    for (const p of peers) {
      p.optimistic = decision.optimistic === p.key;
      p.snubbed = decision.snubbed.has(p.key);
      if (decision.unchoke.has(p.key)) {
        if (p.wire.amChoking) p.wire.unchoke();
      } else if (!p.wire.amChoking) this.choke(p);
    }
  }

  private track(p: PeerConnection, now: number): Track {
    let t = this.tracks.get(p);
    if (!t) {
      t = { samples: [{ at: p.connectedAt, total: 0 }], unchokedUsAt: undefined };
      this.tracks.set(p, t);
    }
    // Seen at rechoke granularity: late by at most a period, which only delays a snub.
    if (p.wire.peerChoking) t.unchokedUsAt = undefined;
    else t.unchokedUsAt ??= now;
    return t;
  }

  /**
   * Bytes/s the peer sent us over the last window: measured from the newest sample at least a
   * window old, divided by at least the window (a peer connected 50 ms ago with one block is not
   * rated at 20 blocks/s).
   */
  private periodRate(p: PeerConnection, t: Track, now: number): number {
    const windowMs = this.d.choker.rateWindowMs;
    const total = p.downMeter.total;
    let i = 0;
    while (i + 1 < t.samples.length && (t.samples[i + 1] as Sample).at <= now - windowMs) i++;
    t.samples.splice(0, i);
    const base = t.samples[0] as Sample;
    t.samples.push({ at: now, total });
    return ((total - base.total) * 1000) / Math.max(now - base.at, windowMs, 1);
  }

  private choke(p: PeerConnection): void {
    p.wire.choke();
    this.d.choked(p);
  }
}
