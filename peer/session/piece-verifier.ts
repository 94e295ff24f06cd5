/**
 * Verification of completed pieces, and finding who sent bad data.
 *
 * A piece is hashed (read back from storage, after its block writes settled) before anything
 * counts it as ours. When it fails, the blame goes where it belongs: a piece sent by one peer
 * strikes that peer; a piece sent by several is remembered block by block (the hash of what
 * each peer wrote), and when a later copy verifies, the peers whose blocks differ from the good
 * data are struck ("smart ban", as libtorrent does) — an honest peer sharing a piece with a
 * liar is never blamed.
 */
import { createHash } from 'node:crypto';
import type { Layout } from '../core/layout.ts';
import type { PieceStorage } from '../../src/store/piece-storage.ts';
import { pieceMatches, type PieceHashes } from '../../src/store/verify.ts';

export interface VerifierDeps {
  readonly storage: PieceStorage;
  readonly hashes: PieceHashes;
  readonly layout: Layout;
}

export interface VerifierEvents {
  /** The piece hashed correctly and is on storage. */
  verified(piece: number): void;
  /** The piece failed; `peers` sent its blocks. */
  failed(piece: number, peers: string[]): void;
  /** Proven to have sent bad data for `piece`. */
  culprit(peer: string, piece: number): void;
  /** Storage failed (disk full, file removed): the torrent cannot go on. */
  error(e: Error): void;
}

interface Suspect {
  readonly peer: string;
  readonly hash: string;
}

export class PieceVerifier {
  private readonly d: VerifierDeps;
  private readonly on: VerifierEvents;
  private readonly writes = new Map<number, Promise<void>[]>();
  /** Who wrote each block of a piece in progress. */
  private readonly writers = new Map<number, string[]>();
  /** Failed pieces with several senders: per block, what each sender wrote. */
  private readonly suspects = new Map<number, Suspect[]>();
  private stopped = false;

  constructor(deps: VerifierDeps, events: VerifierEvents) {
    this.d = deps;
    this.on = events;
  }

  /** Writes one accepted block, remembering its sender. */
  write(peer: string, piece: number, begin: number, data: Uint8Array): void {
    let who = this.writers.get(piece);
    if (!who) this.writers.set(piece, (who = []));
    who[Math.floor(begin / this.d.layout.blockSize)] = peer;
    const p = this.d.storage.write(piece, begin, data).catch((e: unknown) => {
      if (!this.stopped) this.on.error(e instanceof Error ? e : new Error(String(e)));
    });
    let list = this.writes.get(piece);
    if (!list) this.writes.set(piece, (list = []));
    list.push(p);
  }

  /** Every block of `piece` has arrived: hash it once the writes are done. */
  async complete(piece: number): Promise<void> {
    const pending = this.writes.get(piece) ?? [];
    this.writes.delete(piece);
    await Promise.all(pending);
    const writers = this.writers.get(piece) ?? [];
    this.writers.delete(piece);
    if (this.stopped) return;
    let data: Uint8Array;
    try {
      data = await this.d.storage.readPiece(piece);
    } catch (e) {
      if (!this.stopped) this.on.error(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.stopped) return;
    if (pieceMatches(data, this.d.hashes.pieceHash(piece))) {
      const sus = this.suspects.get(piece);
      if (sus) {
        this.suspects.delete(piece);
        const bad = new Set<string>();
        sus.forEach((s, b) => {
          if (s && s.hash !== this.blockHash(data, b)) bad.add(s.peer);
        });
        for (const peer of bad) this.on.culprit(peer, piece);
      }
      this.on.verified(piece);
      return;
    }
    const senders = [...new Set(writers.filter((w) => w !== undefined))];
    if (senders.length === 1) {
      this.on.culprit(senders[0] as string, piece);
    } else if (senders.length > 1) {
      const prev = this.suspects.get(piece) ?? [];
      writers.forEach((peer, b) => {
        if (peer !== undefined) prev[b] = { peer, hash: this.blockHash(data, b) };
      });
      this.suspects.set(piece, prev);
    }
    this.on.failed(piece, senders);
  }

  /** Stop reporting (torrent stopped); writes in flight finish quietly. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.writes.values()].flat());
  }

  /** Resolves when every block write issued so far has settled (for a clean resume flush). */
  async settled(): Promise<void> {
    await Promise.all([...this.writes.values()].flat());
  }

  private blockHash(piece: Uint8Array, b: number): string {
    const bs = this.d.layout.blockSize;
    return createHash('sha1').update(piece.subarray(b * bs, (b + 1) * bs)).digest('hex');
  }
}
