/**
 * The state snapshot a long-running process streams to the TUI over its control socket.
 *
 * Plain data only (numbers, strings, booleans, null, arrays, Uint8Array) so msgpackr encodes it
 * without records or extensions and any process can build one from its own state. Every
 * section is optional: a tracker fills `tracker`, a DHT node `ring`, a client `torrents`, the
 * lab `lab`, and the demo all of them. Rates are bytes per second, times are ms since the
 * epoch unless the name says otherwise. Pure: no node:* imports.
 */

export const SNAPSHOT_VERSION = 1;

export type ProcessKind = 'client' | 'tracker' | 'dht' | 'lab' | 'demo';
export const PROCESS_KINDS: readonly ProcessKind[] = ['client', 'tracker', 'dht', 'lab', 'demo'];

export interface ProcessInfo {
  kind: ProcessKind;
  pid: number;
  /** When the process started (ms since the epoch). */
  started: number;
  /** Free text for the header, e.g. the listen address. */
  label?: string;
}

export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'paused' | 'error';

/**
 * Per-piece state of one torrent. `have` and `downloading` are BEP 3 bitfields (bit 7 of byte
 * 0 is piece 0); `availability[i]` is how many connected peers have piece i, capped at 255.
 */
export interface PieceMap {
  have: Uint8Array;
  downloading: Uint8Array;
  availability: Uint8Array;
}

/** Evenly spaced rate samples, oldest first, for sparklines. */
export interface RateHistory {
  intervalMs: number;
  down: number[];
  up: number[];
}

/**
 * One connected peer. `flags` is the summary string made by `peerFlags` (see there for the
 * letters); the raw booleans are kept so a view can show them spelled out.
 */
export interface PeerView extends PeerFlagState {
  address: string;
  /** Client name decoded from the peer id or the extension handshake ('' when unknown). */
  client: string;
  progress: number;
  downRate: number;
  upRate: number;
  flags: string;
  downloaded?: number;
  uploaded?: number;
  history?: RateHistory;
}

export interface TorrentView {
  /** 40 hex digits, lower case. */
  infoHash: string;
  name: string;
  size: number;
  progress: number;
  state: TorrentState;
  downRate: number;
  upRate: number;
  downloaded: number;
  uploaded: number;
  ratio: number;
  peers: number;
  seeds: number;
  /** Seconds to completion, null when unknown or not downloading. */
  eta: number | null;
  pieceCount: number;
  pieceLength?: number;
  pieces?: PieceMap;
  peerList?: PeerView[];
  history?: RateHistory;
  /** Why the torrent is in the error state. */
  error?: string;
}

export interface SwarmView {
  infoHash: string;
  seeds: number;
  leechers: number;
  completed: number;
  announcesPerSec: number;
}

export interface TrackerView {
  /** Where it listens, e.g. 'http://127.0.0.1:6969/announce udp://127.0.0.1:6969'. */
  endpoint: string;
  swarms: SwarmView[];
  announcesPerSec: number;
  scrapesPerSec?: number;
}

export interface RingNodeRef {
  /** 40 hex digits. */
  id: string;
  endpoint: string;
}

/** A distinct finger and the finger-table indices (inclusive, 0-based) that point at it. */
export interface FingerView {
  from: number;
  to: number;
  node: RingNodeRef;
}

export interface RingView {
  id: string;
  endpoint: string;
  predecessor: RingNodeRef | null;
  successors: RingNodeRef[];
  fingers: FingerView[];
  records: number;
  lookupsPerSec: number;
  /** Mean hops of recent lookups, null when none were made. */
  meanHops: number | null;
}

export interface LabPeerView {
  name: string;
  progress: number;
  /** Ms from the experiment's start until this peer completed, null while still running. */
  doneMs: number | null;
}

export interface LabView {
  scenario: string;
  elapsedMs: number;
  /** The theoretical lower bound on distribution time, null when there is none. */
  boundMs: number | null;
  peers: LabPeerView[];
}

export interface Snapshot {
  v: typeof SNAPSHOT_VERSION;
  /** Increases by one per snapshot sent by a server. */
  seq: number;
  /** When it was taken (ms since the epoch). */
  at: number;
  process: ProcessInfo;
  torrents?: TorrentView[];
  tracker?: TrackerView;
  ring?: RingView;
  lab?: LabView;
}

/** What a process fills in; the server adds v, seq and at. */
export type SnapshotBody = Omit<Snapshot, 'v' | 'seq' | 'at'>;

/**
 * The peer flag letters, qBittorrent/uTorrent style, in this order:
 *   D  we are downloading: interested and the peer unchokes us
 *   d  we are interested but the peer chokes us
 *   U  we are uploading: the peer is interested and we unchoke it
 *   u  the peer is interested but we choke it
 *   K  the peer unchokes us but we are not interested
 *   ?  we unchoke the peer but it is not interested
 *   O  optimistic unchoke
 *   S  snubbed (sent us nothing for a while although it unchokes us)
 *   I  incoming connection (outgoing has no letter)
 */
export const PEER_FLAG_LEGEND: readonly (readonly [string, string])[] = [
  ['D', 'downloading from peer'],
  ['d', 'interested, peer chokes us'],
  ['U', 'uploading to peer'],
  ['u', 'peer interested, we choke it'],
  ['K', 'peer unchokes us, not interested'],
  ['?', 'we unchoke peer, it is not interested'],
  ['O', 'optimistic unchoke'],
  ['S', 'snubbed'],
  ['I', 'incoming connection'],
];

export interface PeerFlagState {
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  optimistic: boolean;
  snubbed: boolean;
  incoming: boolean;
}

export function peerFlags(p: PeerFlagState): string {
  let f = '';
  if (p.amInterested) f += p.peerChoking ? 'd' : 'D';
  if (p.peerInterested) f += p.amChoking ? 'u' : 'U';
  if (!p.amInterested && !p.peerChoking) f += 'K';
  if (!p.peerInterested && !p.amChoking) f += '?';
  if (p.optimistic) f += 'O';
  if (p.snubbed) f += 'S';
  if (p.incoming) f += 'I';
  return f;
}

/** Bit i of a BEP 3 bitfield (false past the end). */
export function bitAt(bits: Uint8Array, i: number): boolean {
  const byte = bits[i >> 3];
  return byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0;
}

/** A bitfield of n bits from a predicate, for processes building snapshots. */
export function bitsFrom(n: number, has: (i: number) => boolean): Uint8Array {
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (has(i)) out[i >> 3] = (out[i >> 3] as number) | (0x80 >> (i & 7));
  return out;
}

/**
 * Collapse a finger table (one entry per index, possibly repeated) into distinct runs, so the
 * ring view shows "fingers 0–151 → node A" instead of 152 identical lines.
 */
export function compactFingers(table: readonly (RingNodeRef | null)[]): FingerView[] {
  const out: FingerView[] = [];
  for (let i = 0; i < table.length; i++) {
    const node = table[i];
    if (!node) continue;
    const last = out[out.length - 1];
    if (last && last.to === i - 1 && last.node.id === node.id) last.to = i;
    else out.push({ from: i, to: i, node });
  }
  return out;
}
