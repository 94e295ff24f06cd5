/**
 * Runs the pure Choker over live connections: on its interval (from the torrent's tick) and
 * early when interest changes or an unchoked peer leaves, so a newcomer does not wait a whole
 * period for its first slot. A free rider (the lab's ablation) chokes everyone, always.
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

export class Choking {
  private readonly d: ChokingDeps;
  private pending = false;
  private stopped = false;

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
    const decision = this.d.choker.rechoke(
      peers.map((p) => ({
        id: p.key,
        interested: p.wire.peerInterested,
        amInterested: p.wire.amInterested,
        downloadRate: p.downMeter.rate(now),
        uploadRate: p.upMeter.rate(now),
        connectedAt: p.connectedAt,
        ...(p.lastBlockAt !== undefined ? { lastBlockAt: p.lastBlockAt } : {}),
      })),
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

  private choke(p: PeerConnection): void {
    p.wire.choke();
    this.d.choked(p);
  }
}
