/** Readable snapshot fixtures for the view-model tests. */
import { bitsFrom, peerFlags, type PeerView, type PieceMap, type Snapshot, type TorrentView } from '../../../src/control/snapshot.ts';

/**
 * A piece map from strings, libtorrent style: have/downloading as '#' / '>' / ' ' and
 * availability as digits, e.g. pieceMap('## > ', '00213').
 */
export function pieceMap(state: string, avail: string): PieceMap {
  return {
    have: bitsFrom(state.length, (i) => state[i] === '#'),
    downloading: bitsFrom(state.length, (i) => state[i] === '>'),
    availability: Uint8Array.from(Array.from(avail, (c) => Number(c))),
  };
}

export function peer(address: string, o: Partial<PeerView> = {}): PeerView {
  const p: PeerView = {
    address, client: 'libtorrent 2.0', progress: 0.5, downRate: 0, upRate: 0, flags: '',
    amChoking: true, amInterested: true, peerChoking: true, peerInterested: false, optimistic: false, snubbed: false, incoming: false,
    ...o,
  };
  return { ...p, flags: peerFlags(p) };
}

export function torrent(o: Partial<TorrentView> = {}): TorrentView {
  return {
    infoHash: 'ab'.repeat(20), name: 'ubuntu-24.04-desktop-amd64.iso', size: 6 * 1024 ** 3, progress: 0.42, state: 'downloading',
    downRate: 2.5 * 1024 ** 2, upRate: 300 * 1024, downloaded: 2.5 * 1024 ** 3, uploaded: 1024 ** 3, ratio: 0.4, peers: 3, seeds: 1,
    eta: 1234, pieceCount: 10, pieces: pieceMap('##>  #>   ', '0012345678'),
    peerList: [peer('127.0.0.1:6881', { downRate: 1000, peerChoking: false }), peer('127.0.0.1:6882', { incoming: true })],
    history: { intervalMs: 1000, down: [0, 100, 200, 400, 800], up: [50, 50, 50, 50, 50] },
    ...o,
  };
}

export function clientSnapshot(o: Partial<Snapshot> = {}): Snapshot {
  return { v: 1, seq: 1, at: 100_000, process: { kind: 'client', pid: 4242, started: 10_000 }, torrents: [torrent()], ...o };
}
