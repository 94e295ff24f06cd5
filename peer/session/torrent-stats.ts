/** The figures a torrent reports (CLI progress, lab, tests); see Torrent.stats(). */
export interface TorrentStats {
  infoHashHex: string;
  name: string;
  length: number;
  pieceCount: number;
  have: number;
  /** 0..1 of verified bytes. */
  progress: number;
  /** Payload bytes. */
  downloaded: number;
  uploaded: number;
  /** B/s. */
  downloadRate: number;
  uploadRate: number;
  peers: number;
  seeds: number;
  state: 'checking' | 'downloading' | 'seeding' | 'paused' | 'error';
  /** Seconds. */
  eta: number | null;
  /** Bytes of data that failed the hash or arrived as duplicates. */
  wasted: number;
  /** Bytes downloaded for pieces already verified when this session began (should be 0). */
  refetched?: number;
  /** `wasted` split by cause, to find what wastes bandwidth (the lab's engine bench reads it). */
  wasteBy?: WasteBy;
}

export interface WasteBy {
  /** Sent before the peer's CHOKE reached us; we had already asked someone else. */
  choked: number;
  /** A second copy of a block asked of several peers (endgame), arriving after the first. */
  endgame: number;
  /** A copy of a block whose first request timed out and was asked again elsewhere. */
  timeout: number;
  /** Pieces that failed the hash check. */
  hash: number;
}
