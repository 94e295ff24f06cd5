/**
 * The DHT as a peer source for the peer client: announce ourselves under an infohash and ask
 * who else did. src/peer-source.ts (the shared interface, owned by the tracker work) had not
 * landed when this was written, so the shape we need is declared here; it is deliberately
 * minimal so it can be made to `implements PeerSource` once that exists.
 */
import type { Endpoint } from '../src/naming/endpoint.ts';
import type { Id160 } from '../src/naming/id160.ts';
import { idFromBytes } from '../src/naming/id160.ts';
import type { DhtNode } from './node.ts';

export interface DhtPeerSourceLike {
  readonly name: string;
  /** Peers for the torrent, announcing `port` as ours at the same time. */
  getPeers(infoHash: Uint8Array, port: number, signal?: AbortSignal): Promise<Endpoint[]>;
}

export class DhtPeerSource implements DhtPeerSourceLike {
  readonly name = 'dht';

  constructor(
    private readonly node: DhtNode,
    private readonly ttlMs = 30 * 60_000,
  ) {}

  async getPeers(infoHash: Uint8Array, port: number, signal?: AbortSignal): Promise<Endpoint[]> {
    const key: Id160 = idFromBytes(infoHash);
    const [, peers] = await Promise.all([this.node.announce(key, port, this.ttlMs, signal), this.node.getPeers(key, signal)]);
    // Our own announcement comes back too; the caller filters self by its listen address.
    return peers;
  }
}
