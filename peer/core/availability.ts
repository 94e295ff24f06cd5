/**
 * How many connected peers have each piece. Each peer's own bitfield is kept here so the
 * counts cannot be poisoned: a repeated HAVE counts once, a disconnect subtracts exactly what
 * the peer added, and out-of-range indexes are refused before they touch a counter.
 */
import { ProtocolError } from '../../src/errors.ts';
import { Bitfield } from './bitfield.ts';

export type PeerKey = string;

export class Availability {
  readonly pieceCount: number;
  private readonly counts: Uint32Array;
  private readonly peers = new Map<PeerKey, Bitfield>();

  constructor(pieceCount: number) {
    this.pieceCount = pieceCount;
    this.counts = new Uint32Array(pieceCount);
  }

  count(piece: number): number {
    return this.counts[piece] ?? 0;
  }

  /** Read-only view of all counts (index = piece). */
  all(): Readonly<Uint32Array> {
    return this.counts;
  }

  hasPeer(peer: PeerKey): boolean {
    return this.peers.has(peer);
  }

  peerHas(peer: PeerKey, piece: number): boolean {
    return this.peers.get(peer)?.has(piece) ?? false;
  }

  /** The peer's bitfield (the live object: do not mutate it). */
  bitfieldOf(peer: PeerKey): Bitfield | undefined {
    return this.peers.get(peer);
  }

  /** A new peer (empty) or a BITFIELD message; replaces whatever the peer had before. */
  setBitfield(peer: PeerKey, bitfield: Bitfield): void {
    if (bitfield.size !== this.pieceCount) {
      throw new ProtocolError(`bitfield for ${bitfield.size} pieces, torrent has ${this.pieceCount}`);
    }
    this.removePeer(peer);
    const own = bitfield.clone();
    this.peers.set(peer, own);
    for (const i of own) this.counts[i] = (this.counts[i] as number) + 1;
  }

  /** A HAVE message. Returns true if it was news (the count went up). */
  have(peer: PeerKey, piece: number): boolean {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new ProtocolError(`have for piece ${piece}, torrent has ${this.pieceCount}`);
    }
    let bf = this.peers.get(peer);
    if (!bf) {
      bf = new Bitfield(this.pieceCount);
      this.peers.set(peer, bf);
    }
    if (!bf.set(piece)) return false;
    this.counts[piece] = (this.counts[piece] as number) + 1;
    return true;
  }

  /** A disconnect: subtract everything the peer contributed. */
  removePeer(peer: PeerKey): void {
    const bf = this.peers.get(peer);
    if (!bf) return;
    for (const i of bf) this.counts[i] = (this.counts[i] as number) - 1;
    this.peers.delete(peer);
  }

  get peerCount(): number {
    return this.peers.size;
  }
}
