/** Metainfo (.torrent) API: parse, create, piece-length choice. Split by concept across files. */
export { parseTorrent, parseInfoDict, sha1, toHex, MAX_PARSE_PIECE_LENGTH } from './metainfo-parse.ts';
export type { Metainfo, InfoDict, TorrentFile } from './metainfo-parse.ts';
export { createTorrent } from './metainfo-create.ts';
export type { CreateOptions } from './metainfo-create.ts';
export { choosePieceLength, parseSize, MIN_PIECE_LENGTH, MAX_PIECE_LENGTH } from './piece-length.ts';
