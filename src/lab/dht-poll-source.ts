/**
 * The DHT as a PeerSource for lab clients: announce our port under the infohash and fetch the
 * peers stored there, now and then every `everyMs`. dht/peer-source.ts does one round; this
 * adds the schedule and the events the client's PeerSource interface expects.
 */
import { EventEmitter } from 'node:events';
import type { DhtPeerSourceLike } from '../../dht/peer-source.ts';
import type { Endpoint } from '../naming/endpoint.ts';
import type { PeerSource } from '../peer-source.ts';

interface Events {
  peers: [peers: Endpoint[]];
  warning: [error: Error];
}

export class PollingDhtSource extends EventEmitter<Events> implements PeerSource {
  readonly name = 'dht';
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #ac = new AbortController();
  #busy = false;

  constructor(
    private readonly dht: DhtPeerSourceLike,
    private readonly infoHash: Uint8Array,
    /** Our listen port, read at each round (known only once the client has started). */
    private readonly port: () => number,
    private readonly everyMs = 2000,
  ) {
    super();
  }

  start(): void {
    if (this.#timer !== undefined || this.#ac.signal.aborted) return;
    this.#timer = setInterval(() => void this.#round(), this.everyMs);
    this.#timer.unref();
    void this.#round();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#ac.abort();
  }

  async #round(): Promise<void> {
    if (this.#busy || this.#ac.signal.aborted) return;
    this.#busy = true;
    try {
      const peers = await this.dht.getPeers(this.infoHash, this.port(), this.#ac.signal);
      if (!this.#ac.signal.aborted && peers.length > 0) this.emit('peers', peers);
    } catch (e) {
      if (!this.#ac.signal.aborted) this.emit('warning', e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.#busy = false;
    }
  }
}
