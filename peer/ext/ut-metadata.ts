/**
 * BEP 9 ut_metadata: the message codec, serving pieces of our info dict, and a pure state
 * machine that fetches someone else's info dict from the peers that advertise `metadata_size`.
 *
 * Pure core: no sockets or timers; the caller passes `now` and a SHA-1 function, asks
 * `requests(now)` which pieces to send to whom after every event, and feeds replies back.
 * Verification: the assembled bytes must hash to the infohash. On a mismatch with several
 * contributors we cannot tell who lied, so every later attempt takes all pieces from one peer,
 * and a peer whose whole copy fails is banned — an honest peer is never blamed for another's
 * data, and a liar can poison at most one attempt per identity.
 */
import { bencode, type BDict } from '../../src/codec/bencode.ts';
import { splitExtendedPayload } from '../wire/extension.ts';
import { WireError } from '../wire/wire-error.ts';

/** Metadata is exchanged in 16 KiB pieces; only the last may be shorter. */
export const METADATA_PIECE_SIZE = 16 * 1024;
/** Info dicts above this are refused (a real one with 1M pieces is ~20 MiB; typical < 1 MiB). */
export const MAX_METADATA_SIZE = 8 * 1024 * 1024;

export type MetadataMessage =
  | { type: 'request'; piece: number }
  | { type: 'data'; piece: number; totalSize: number; data: Uint8Array }
  | { type: 'reject'; piece: number }
  /** BEP 9: unknown message types must be ignored, not treated as errors. */
  | { type: 'unknown'; msgType: number };

const TYPE_IDS = { request: 0, data: 1, reject: 2 } as const;

export function encodeMetadataMessage(m: Exclude<MetadataMessage, { type: 'unknown' }>): Uint8Array {
  const d: Record<string, number> = { msg_type: TYPE_IDS[m.type], piece: m.piece };
  if (m.type !== 'data') return bencode(d);
  d.total_size = m.totalSize;
  const head = bencode(d);
  const out = new Uint8Array(head.length + m.data.length);
  out.set(head);
  out.set(m.data, head.length);
  return out;
}

function field(d: BDict, key: string, max: number): number {
  const n = d.get(key);
  if (typeof n !== 'number') throw new WireError('extension', `ut_metadata ${key} missing or not an integer`);
  if (n < 0 || n > max) throw new WireError('extension', `ut_metadata ${key} ${n} out of range`);
  return n;
}

/** Parse one ut_metadata message. Throws WireError('extension') for malformed input. */
export function decodeMetadataMessage(payload: Uint8Array): MetadataMessage {
  const { dict, rest } = splitExtendedPayload(payload);
  const msgType = field(dict, 'msg_type', Number.MAX_SAFE_INTEGER);
  if (msgType > 2) return { type: 'unknown', msgType };
  const piece = field(dict, 'piece', MAX_METADATA_SIZE / METADATA_PIECE_SIZE);
  if (msgType === 0 || msgType === 2) {
    if (rest.length !== 0) throw new WireError('extension', 'ut_metadata request/reject with trailing bytes');
    return msgType === 0 ? { type: 'request', piece } : { type: 'reject', piece };
  }
  const totalSize = field(dict, 'total_size', Number.MAX_SAFE_INTEGER);
  if (rest.length > METADATA_PIECE_SIZE) throw new WireError('extension', `ut_metadata piece of ${rest.length} bytes`);
  return { type: 'data', piece, totalSize, data: rest };
}

export function metadataPieceCount(size: number): number {
  return Math.ceil(size / METADATA_PIECE_SIZE);
}

/** Expected byte length of a piece of metadata of `size` bytes. */
export function metadataPieceLength(size: number, piece: number): number {
  return Math.min(METADATA_PIECE_SIZE, size - piece * METADATA_PIECE_SIZE);
}

/** The answer to a request: our piece, or a reject when we lack the metadata or the piece. */
export function serveMetadataRequest(info: Uint8Array | undefined, piece: number): Exclude<MetadataMessage, { type: 'unknown' | 'request' }> {
  if (info === undefined || piece < 0 || piece >= metadataPieceCount(info.length)) return { type: 'reject', piece };
  const start = piece * METADATA_PIECE_SIZE;
  return { type: 'data', piece, totalSize: info.length, data: info.subarray(start, start + METADATA_PIECE_SIZE) };
}

// ---- fetching ------------------------------------------------------------------------------

export interface MetadataFetcherOptions {
  infoHash: Uint8Array;
  sha1: (b: Uint8Array) => Uint8Array;
  maxSize?: number;
  /** A request unanswered for this long is given to another peer (default 10 s). */
  requestTimeoutMs?: number;
  /** Outstanding requests per peer (default 4). */
  maxInFlightPerPeer?: number;
}

/** What a data message did. `ban` lists peers to drop (their data was wrong). */
export type FetchResult =
  | { kind: 'progress' }
  | { kind: 'ignored' }
  | { kind: 'done'; info: Uint8Array }
  | { kind: 'mismatch'; ban: unknown[] }
  | { kind: 'bad'; reason: string };

interface PeerState {
  size: number;
  inFlight: number;
  rejected: Set<number>;
  bad: boolean;
}

interface Attempt<P> {
  size: number;
  pieces: (Uint8Array | undefined)[];
  from: (P | undefined)[];
  inFlight: Map<number, { peer: P; at: number }>;
  /** In single-source mode, the one peer every piece comes from. */
  only: P | undefined;
}

export class MetadataFetcher<P> {
  private readonly peers = new Map<P, PeerState>();
  private attempt: Attempt<P> | undefined;
  private singleSource = false;
  private readonly maxSize: number;
  private readonly timeoutMs: number;
  private readonly perPeer: number;
  private result: Uint8Array | undefined;
  /** Verification failures so far (for logs and tests). */
  mismatches = 0;

  constructor(private readonly o: MetadataFetcherOptions) {
    this.maxSize = o.maxSize ?? MAX_METADATA_SIZE;
    this.timeoutMs = o.requestTimeoutMs ?? 10_000;
    this.perPeer = o.maxInFlightPerPeer ?? 4;
  }

  get done(): boolean {
    return this.result !== undefined;
  }

  get info(): Uint8Array | undefined {
    return this.result;
  }

  /** Pieces received in the current attempt / pieces needed (0 before any attempt). */
  progress(): { have: number; total: number } {
    const a = this.attempt;
    if (a === undefined) return { have: 0, total: 0 };
    return { have: a.pieces.filter((p) => p !== undefined).length, total: a.pieces.length };
  }

  /** A peer advertised metadata_size; false when the size is unusable (0, negative, too large). */
  addPeer(peer: P, metadataSize: number): boolean {
    if (!Number.isSafeInteger(metadataSize) || metadataSize <= 0 || metadataSize > this.maxSize) return false;
    const known = this.peers.get(peer);
    if (known !== undefined) {
      if (known.size === metadataSize) return true;
      this.removePeer(peer);
    }
    this.peers.set(peer, { size: metadataSize, inFlight: 0, rejected: new Set(), bad: false });
    return true;
  }

  removePeer(peer: P): void {
    const s = this.peers.get(peer);
    if (s === undefined) return;
    this.peers.delete(peer);
    const a = this.attempt;
    if (a === undefined) return;
    for (const [piece, f] of a.inFlight) if (f.peer === peer) a.inFlight.delete(piece);
    if (a.only === peer) this.attempt = undefined;
  }

  get peerCount(): number {
    return [...this.peers.values()].filter((s) => !s.bad).length;
  }

  onReject(peer: P, piece: number): void {
    const s = this.peers.get(peer);
    const a = this.attempt;
    if (s === undefined) return;
    s.rejected.add(piece);
    if (a === undefined) return;
    const f = a.inFlight.get(piece);
    if (f?.peer === peer) {
      a.inFlight.delete(piece);
      s.inFlight--;
    }
    if (a.only === peer) this.dropAttempt();
  }

  onData(peer: P, piece: number, totalSize: number, data: Uint8Array): FetchResult {
    const s = this.peers.get(peer);
    if (s === undefined || s.bad || this.done) return { kind: 'ignored' };
    if (totalSize !== s.size) return this.ban(peer, `total_size ${totalSize} differs from advertised ${s.size}`);
    const a = this.attempt;
    if (a === undefined || a.size !== totalSize || (a.only !== undefined && a.only !== peer)) return { kind: 'ignored' };
    if (piece >= a.pieces.length) return this.ban(peer, `piece ${piece} beyond ${a.pieces.length}`);
    if (data.length !== metadataPieceLength(totalSize, piece)) return this.ban(peer, `piece ${piece} has ${data.length} bytes`);
    const f = a.inFlight.get(piece);
    if (f !== undefined) {
      a.inFlight.delete(piece);
      const owner = this.peers.get(f.peer);
      if (owner !== undefined) owner.inFlight--;
    }
    if (a.pieces[piece] !== undefined) return { kind: 'ignored' };
    a.pieces[piece] = data.slice();
    a.from[piece] = peer;
    if (a.pieces.some((p) => p === undefined)) return { kind: 'progress' };
    return this.verify(a);
  }

  /** Pieces to request now, each from one peer, expiring requests older than the timeout. */
  requests(now: number): { peer: P; piece: number }[] {
    if (this.done) return [];
    let a = this.attempt ?? this.newAttempt();
    if (a === undefined) return [];
    for (const [piece, f] of a.inFlight) {
      if (now - f.at < this.timeoutMs) continue;
      a.inFlight.delete(piece);
      const s = this.peers.get(f.peer);
      if (s === undefined) continue;
      s.inFlight--;
      s.rejected.add(piece); // a silent peer is treated like one that said no, for this piece
      if (a.only === f.peer) {
        this.dropAttempt();
        a = this.newAttempt();
        if (a === undefined) return [];
        break;
      }
    }
    const out: { peer: P; piece: number }[] = [];
    for (let piece = 0; piece < a.pieces.length; piece++) {
      if (a.pieces[piece] !== undefined || a.inFlight.has(piece)) continue;
      const peer = this.pick(a, piece);
      if (peer === undefined) continue;
      a.inFlight.set(piece, { peer, at: now });
      this.peers.get(peer)!.inFlight++;
      out.push({ peer, piece });
    }
    return out;
  }

  private pick(a: Attempt<P>, piece: number): P | undefined {
    let best: P | undefined;
    let bestLoad = Infinity;
    for (const [peer, s] of this.peers) {
      if (s.bad || s.size !== a.size || s.rejected.has(piece) || s.inFlight >= this.perPeer) continue;
      if (a.only !== undefined && a.only !== peer) continue;
      if (s.inFlight < bestLoad) {
        best = peer;
        bestLoad = s.inFlight;
      }
    }
    return best;
  }

  private newAttempt(): Attempt<P> | undefined {
    const usable = [...this.peers].filter(([, s]) => !s.bad);
    let only: P | undefined;
    let size: number | undefined;
    if (this.singleSource) {
      // One peer at a time, skipping those that already refused something.
      const pick = usable.find(([, s]) => s.rejected.size === 0) ?? usable[0];
      if (pick === undefined) return undefined;
      [only, size] = [pick[0], pick[1].size];
    } else {
      // The size most peers agree on: a lone liar about the size cannot steer the first attempt.
      const votes = new Map<number, number>();
      for (const [, s] of usable) votes.set(s.size, (votes.get(s.size) ?? 0) + 1);
      for (const [sz, n] of votes) if (size === undefined || n > votes.get(size)!) size = sz;
      if (size === undefined) return undefined;
    }
    const n = metadataPieceCount(size);
    this.attempt = { size, pieces: new Array(n).fill(undefined), from: new Array(n).fill(undefined), inFlight: new Map(), only };
    return this.attempt;
  }

  private dropAttempt(): void {
    const a = this.attempt;
    if (a === undefined) return;
    for (const [, f] of a.inFlight) {
      const s = this.peers.get(f.peer);
      if (s !== undefined) s.inFlight--;
    }
    this.attempt = undefined;
  }

  private verify(a: Attempt<P>): FetchResult {
    const info = new Uint8Array(a.size);
    a.pieces.forEach((p, i) => info.set(p!, i * METADATA_PIECE_SIZE));
    if (equal(this.o.sha1(info), this.o.infoHash)) {
      this.result = info;
      this.attempt = undefined;
      return { kind: 'done', info };
    }
    this.mismatches++;
    const contributors = [...new Set(a.from)] as P[];
    this.dropAttempt();
    this.singleSource = true;
    const ban = contributors.length === 1 ? contributors : [];
    for (const p of ban) this.peers.get(p)!.bad = true;
    return { kind: 'mismatch', ban };
  }

  private ban(peer: P, reason: string): FetchResult {
    const s = this.peers.get(peer)!;
    s.bad = true;
    const a = this.attempt;
    if (a !== undefined) {
      for (const [piece, f] of a.inFlight) if (f.peer === peer) a.inFlight.delete(piece);
      if (a.only === peer) this.attempt = undefined;
    }
    s.inFlight = 0;
    return { kind: 'bad', reason };
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
