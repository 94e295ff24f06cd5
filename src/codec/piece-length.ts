/**
 * Piece-length choice for new torrents. Like libtorrent and mktorrent: a power of two, aiming for
 * about 1000–2000 pieces (small enough metadata, fine-grained enough swarming), clamped to
 * 16 KiB (one block) .. 16 MiB.
 */
export const MIN_PIECE_LENGTH = 16 * 1024;
export const MAX_PIECE_LENGTH = 16 * 1024 * 1024;
const TARGET_MAX_PIECES = 2000;

export function choosePieceLength(totalBytes: number): number {
  let p = MIN_PIECE_LENGTH;
  while (p < MAX_PIECE_LENGTH && totalBytes / p > TARGET_MAX_PIECES) p *= 2;
  return p;
}

/** Parses a piece length like "262144", "256K", "256KiB", "1M", "4m" into bytes; undefined if malformed. */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(s.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) ? n : undefined;
}
