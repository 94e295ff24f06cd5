/**
 * The Chord DHT as a PeerSource: announce our listen port under the infohash and ask who else
 * did, at once and then every `intervalMs` (announcements carry a TTL, so re-announcing keeps us
 * findable). One round at a time; failures become 'warning' events and the next round retries.
 */
import { EventEmitter } from 'node:events';
import type { DhtPeerSourceLike } from '../../dht/peer-source.ts';
import { sameEndpoint, type Endpoint } from '../../src/naming/endpoint.ts';
import type { PeerSource, PeerSourceEvents } from '../../src/peer-source.ts';

export interface DhtSourceOptions {
  infoHash: Uint8Array;
  /** Our listen port, read at each round (known only once the client listens). */
  port: () => number;
  /** Default 5 min. Rounds after a round that found nobody come sooner (quickRetryMs). */
  intervalMs?: number;
  /** Default 5 s: while nobody has been found, rounds come this often. */
  quickRetryMs?: number;
  /** Our own endpoints, filtered out of the results. */
  self?: readonly Endpoint[];
}

export class DhtSource extends EventEmitter<PeerSourceEvents> implements PeerSource {
  readonly name = 'dht';
  rounds = 0;
  private readonly ac = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    private readonly dht: DhtPeerSourceLike,
    private readonly o: DhtSourceOptions,
  ) {
    super();
  }

  start(): void {
    if (this.running || this.ac.signal.aborted) return;
    this.running = true;
    void this.round();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ac.abort();
  }

  private async round(): Promise<void> {
    if (!this.running) return;
    this.rounds++;
    let found = 0;
    try {
      const peers = await this.dht.getPeers(this.o.infoHash, this.o.port(), this.ac.signal);
      const port = this.o.port();
      const others = peers.filter((p) => !(this.o.self ?? [{ host: '127.0.0.1', port }]).some((s) => sameEndpoint(s, p)));
      found = others.length;
      if (this.running && found > 0) this.emit('peers', others);
    } catch (e) {
      if (this.running) this.emit('warning', e instanceof Error ? e : new Error(String(e)));
    }
    if (!this.running) return;
    const next = found > 0 ? (this.o.intervalMs ?? 5 * 60_000) : (this.o.quickRetryMs ?? 5000);
    this.timer = setTimeout(() => void this.round(), next);
    this.timer.unref?.();
  }
}
