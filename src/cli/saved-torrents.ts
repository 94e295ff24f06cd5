/**
 * Torrents whose metadata came from a magnet link are kept as .torrent files in the db dir
 * (<db>/torrents/<infohash>.torrent), so running the same `get magnet:…` again resumes at once
 * instead of asking peers for the info dict again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bencode, utf8 } from '../codec/bencode.ts';
import { parseTorrent, type Metainfo } from '../codec/metainfo.ts';

/**
 * A .torrent for a metainfo: the info dict's exact bytes (so the infohash cannot change) in a
 * dict with the trackers and web seeds. Keys in sorted order, as bencode requires.
 */
export function encodeTorrentFile(m: Pick<Metainfo, 'infoBytes' | 'announceList' | 'urlList' | 'announce'>): Uint8Array {
  const parts: Uint8Array[] = [utf8('d')];
  const add = (key: string, value: Uint8Array): void => void parts.push(bencode(utf8(key)), value);
  const announce = m.announce ?? m.announceList[0]?.[0];
  if (announce !== undefined) add('announce', bencode(announce));
  if (m.announceList.length > 0) add('announce-list', bencode(m.announceList));
  add('info', m.infoBytes);
  if (m.urlList.length > 0) add('url-list', bencode(m.urlList));
  parts.push(utf8('e'));
  return Buffer.concat(parts);
}

export const savedTorrentPath = (dbDir: string, infoHashHex: string): string => join(dbDir, 'torrents', `${infoHashHex.toLowerCase()}.torrent`);

/** Writes atomically (temp file + rename): a crash never leaves half a torrent behind. */
export async function saveTorrent(dbDir: string, m: Metainfo): Promise<string> {
  const path = savedTorrentPath(dbDir, m.infoHashHex);
  await mkdir(join(dbDir, 'torrents'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, encodeTorrentFile(m));
  await rename(tmp, path);
  return path;
}

/** The saved torrent for an infohash, or undefined if there is none or it is unusable. */
export async function loadSavedTorrent(dbDir: string, infoHashHex: string): Promise<Metainfo | undefined> {
  try {
    const m = parseTorrent(await readFile(savedTorrentPath(dbDir, infoHashHex)));
    return m.infoHashHex === infoHashHex.toLowerCase() ? m : undefined;
  } catch {
    return undefined;
  }
}
