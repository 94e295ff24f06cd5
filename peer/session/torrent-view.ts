/**
 * What a torrent shows the TUI and the control socket: the view with its peer list, piece map
 * (have, downloading, availability) and rate history. Pure: built from the parts the torrent
 * passes in, so it can be tested without sockets.
 */
import type { Availability } from '../core/availability.ts';
import type { Picker } from '../core/picker.ts';
import { bitsFrom, peerFlags, type PeerView, type RateHistory, type TorrentView } from '../../src/control/snapshot.ts';
import type { PeerConnection } from './peer-connection.ts';
import type { TorrentStats } from './torrent-stats.ts';

export interface ViewParts {
  readonly stats: TorrentStats;
  readonly pieceLength: number;
  readonly picker: Picker | undefined;
  readonly availability: Availability;
  readonly peers: Iterable<PeerConnection>;
  readonly history: RateHistory;
  readonly now: number;
  readonly error?: string;
}

export function peerView(p: PeerConnection, availability: Availability, pieceCount: number, now: number): PeerView {
  const w = p.wire;
  const state = {
    amChoking: w.amChoking,
    amInterested: w.amInterested,
    peerChoking: w.peerChoking,
    peerInterested: w.peerInterested,
    optimistic: p.optimistic,
    snubbed: p.snubbed,
    incoming: p.incoming,
  };
  const theirs = availability.bitfieldOf(p.key)?.count ?? 0;
  return {
    address: p.key,
    client: p.client,
    progress: pieceCount === 0 ? 1 : theirs / pieceCount,
    downRate: p.downMeter.rate(now),
    upRate: p.upMeter.rate(now),
    flags: peerFlags(state),
    ...state,
    downloaded: p.downloaded,
    uploaded: p.uploaded,
  };
}

export function torrentView(v: ViewParts): TorrentView {
  const s = v.stats;
  const n = s.pieceCount;
  const out: TorrentView = {
    infoHash: s.infoHashHex,
    name: s.name,
    size: s.length,
    progress: s.progress,
    state: s.state,
    downRate: s.downloadRate,
    upRate: s.uploadRate,
    downloaded: s.downloaded,
    uploaded: s.uploaded,
    ratio: s.downloaded > 0 ? s.uploaded / s.downloaded : 0,
    peers: s.peers,
    seeds: s.seeds,
    eta: s.eta,
    pieceCount: n,
    pieceLength: v.pieceLength,
    peerList: [...v.peers].map((p) => peerView(p, v.availability, n, v.now)),
    history: { intervalMs: v.history.intervalMs, down: [...v.history.down], up: [...v.history.up] },
  };
  if (v.picker) {
    const picker = v.picker;
    const partial = new Set(picker.partialPieces());
    const counts = v.availability.all();
    out.pieces = {
      have: picker.have.toBytes(),
      downloading: bitsFrom(n, (i) => partial.has(i)),
      availability: Uint8Array.from(counts, (c) => Math.min(255, c)),
    };
  }
  if (v.error !== undefined) out.error = v.error;
  return out;
}
