/**
 * Metainfo (.torrent) parsing, BEP 3 with BEP 12 (announce-list), BEP 19 (url-list) and BEP 47
 * (padding files). Strict where it matters for safety and the infohash (the info dict), liberal
 * with cosmetic top-level fields: a wrongly typed 'comment' is ignored, as libtorrent does.
 *
 * File paths: TorrentFile.path is relative to the download folder and always starts with the
 * torrent name — [name] for a single-file torrent, [name, ...path] for a multi-file one — so
 * storage can call resolveInside(root, file.path) without caring which kind it is.
 */
import { createHash } from 'node:crypto';
import { MetainfoError, RingswarmError } from '../errors.ts';
import { validatePathComponents } from '../store/safe-path.ts';
import { bbytes, bdecode, bdict, bget, bint, bkey, blist, rawSpan, text, type BDict, type BValue } from './bencode.ts';

export interface TorrentFile {
  /** Relative to the download folder; starts with the torrent name (see the file comment). */
  path: string[];
  length: number;
  /** Offset of the file's first byte in the concatenated stream of all files. */
  offset: number;
  /** BEP 47 padding file (attr contains 'p'): zeros, not written to disk by most clients. */
  pad?: boolean;
}

/** What the info dict alone determines (all a magnet download gets from BEP 9 metadata exchange). */
export interface InfoDict {
  infoHash: Uint8Array;
  infoHashHex: string;
  name: string;
  pieceLength: number;
  pieceCount: number;
  /** 20 × pieceCount bytes. */
  pieceHashes: Uint8Array;
  pieceHash(index: number): Uint8Array;
  /** Total bytes, padding files included. */
  length: number;
  files: TorrentFile[];
  multiFile: boolean;
  private: boolean;
  /** The exact info dict bytes: the infohash is their SHA-1. */
  infoBytes: Uint8Array;
}

export interface Metainfo extends InfoDict {
  announce?: string;
  /** Tiers (BEP 12); a lone 'announce' becomes the single tier when there is no announce-list. */
  announceList: string[][];
  comment?: string;
  createdBy?: string;
  /** Seconds since the epoch. */
  creationDate?: number;
  /** BEP 19 web seeds. */
  urlList: string[];
}

/** Piece lengths beyond this are not real torrents; refusing them bounds buffer sizes downstream. */
export const MAX_PARSE_PIECE_LENGTH = 512 * 1024 * 1024;

export function sha1(b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(b).digest());
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Run a parse step, turning every error into a MetainfoError (the one error this module throws). */
function guard<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MetainfoError) throw e;
    if (e instanceof RingswarmError) throw new MetainfoError(`${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Parse a whole .torrent file. Throws MetainfoError for anything invalid. */
export function parseTorrent(buf: Uint8Array): Metainfo {
  const top = guard('torrent', () => bdict(bdecode(buf), 'torrent'));
  if (!(top.get('info') instanceof Map)) throw new MetainfoError("torrent has no 'info' dict");
  const infoBytes = guard('torrent', () => rawSpan(buf, ['info']));
  if (infoBytes === undefined) throw new MetainfoError("torrent has no 'info' dict");
  const info = parseInfoDict(infoBytes);

  const announce = optText(top, 'announce');
  let announceList = tiers(top.get('announce-list'));
  if (announceList.length === 0 && announce !== undefined && announce !== '') announceList = [[announce]];
  const meta: Metainfo = {
    ...info,
    announceList,
    urlList: urlList(top.get('url-list')),
  };
  if (announce !== undefined) meta.announce = announce;
  const comment = optText(top, 'comment.utf-8') ?? optText(top, 'comment');
  if (comment !== undefined) meta.comment = comment;
  const createdBy = optText(top, 'created by');
  if (createdBy !== undefined) meta.createdBy = createdBy;
  const date = top.get('creation date');
  if (typeof date === 'number') meta.creationDate = date;
  return meta;
}

/** Parse the bencoded info dict alone (BEP 9 metadata). Throws MetainfoError. */
export function parseInfoDict(infoBytes: Uint8Array): InfoDict {
  const info = guard('info', () => bdict(bdecode(infoBytes), 'info'));
  return guard('info', () => parseInfo(info, infoBytes));
}

function parseInfo(info: BDict, infoBytes: Uint8Array): InfoDict {
  if (info.get('pieces') === undefined && info.get('meta version') !== undefined) {
    throw new MetainfoError('BitTorrent v2-only torrents are not supported (no v1 piece hashes)');
  }
  const name = pathText(info.get(bkey('name.utf-8')) ?? info.get('name'), 'name');
  validatePathComponents([name]);

  const pieceLength = bint(bget(info, 'piece length'), 'piece length');
  if (pieceLength <= 0 || pieceLength > MAX_PARSE_PIECE_LENGTH) {
    throw new MetainfoError(`piece length ${pieceLength} out of range`);
  }
  const pieceHashes = bbytes(bget(info, 'pieces'), 'pieces');
  if (pieceHashes.length % 20 !== 0) throw new MetainfoError(`pieces length ${pieceHashes.length} is not a multiple of 20`);

  const filesValue = info.get('files');
  const multiFile = filesValue !== undefined;
  if (multiFile && info.get('length') !== undefined) throw new MetainfoError("info has both 'length' and 'files'");
  const files = multiFile ? parseFiles(name, filesValue) : [singleFile(name, info)];
  const last = files[files.length - 1]!;
  const length = last.offset + last.length;
  if (!Number.isSafeInteger(length)) throw new MetainfoError('total length too large');
  if (length === 0) throw new MetainfoError('torrent contains no data');

  const pieceCount = Math.ceil(length / pieceLength);
  if (pieceHashes.length !== pieceCount * 20) {
    throw new MetainfoError(`${pieceHashes.length / 20} piece hashes for ${length} bytes in ${pieceCount} pieces of ${pieceLength}`);
  }
  const infoHash = sha1(infoBytes);
  return {
    infoHash,
    infoHashHex: toHex(infoHash),
    name,
    pieceLength,
    pieceCount,
    pieceHashes,
    pieceHash(index: number): Uint8Array {
      if (!Number.isInteger(index) || index < 0 || index >= pieceCount) {
        throw new MetainfoError(`piece index ${index} out of range 0..${pieceCount - 1}`);
      }
      return pieceHashes.subarray(index * 20, index * 20 + 20);
    },
    length,
    files,
    multiFile,
    private: info.get('private') === 1,
    infoBytes,
  };
}

function singleFile(name: string, info: BDict): TorrentFile {
  const length = bint(bget(info, 'length'), 'length');
  if (length < 0) throw new MetainfoError(`negative length ${length}`);
  return { path: [name], length, offset: 0 };
}

function parseFiles(name: string, value: BValue): TorrentFile[] {
  const list = blist(value, 'files');
  if (list.length === 0) throw new MetainfoError('empty files list');
  const files: TorrentFile[] = [];
  let offset = 0;
  for (let i = 0; i < list.length; i++) {
    const what = `files[${i}]`;
    const f = bdict(list[i], what);
    const length = bint(bget(f, 'length'), `${what}.length`);
    if (length < 0) throw new MetainfoError(`${what}: negative length ${length}`);
    const rawPath = blist(f.get(bkey('path.utf-8')) ?? f.get('path'), `${what}.path`);
    const path = rawPath.map((p, j) => pathText(p, `${what}.path[${j}]`));
    validatePathComponents(path);
    const file: TorrentFile = { path: [name, ...path], length, offset };
    const attr = f.get('attr');
    if (attr instanceof Uint8Array && text(attr).includes('p')) file.pad = true;
    files.push(file);
    offset += length;
    if (!Number.isSafeInteger(offset)) throw new MetainfoError('total length too large');
  }
  return files;
}

/** Legacy torrents carry non-UTF-8 names: decode leniently (U+FFFD) rather than refuse them. */
function pathText(v: BValue | undefined, what: string): string {
  return text(bbytes(v, what));
}

function optText(d: BDict, key: string): string | undefined {
  const v = d.get(bkey(key));
  return v instanceof Uint8Array ? text(v) : undefined;
}

function tiers(v: BValue | undefined): string[][] {
  if (!Array.isArray(v)) return [];
  const out: string[][] = [];
  for (const tier of v) {
    if (!Array.isArray(tier)) continue;
    const urls = tier.filter((u): u is Uint8Array => u instanceof Uint8Array).map(text).filter((u) => u !== '');
    if (urls.length > 0) out.push(urls);
  }
  return out;
}

function urlList(v: BValue | undefined): string[] {
  if (v instanceof Uint8Array) return v.length > 0 ? [text(v)] : [];
  if (!Array.isArray(v)) return [];
  return v.filter((u): u is Uint8Array => u instanceof Uint8Array && u.length > 0).map(text);
}
